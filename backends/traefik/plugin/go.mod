module gatewayc.local/gwc

go 1.22
