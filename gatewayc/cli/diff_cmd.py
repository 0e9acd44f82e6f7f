"""`gatewayc diff OLD NEW`: placeholder registration, replaced by the semantic diff."""
