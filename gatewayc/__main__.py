from gatewayc.cli.app import main

main()
