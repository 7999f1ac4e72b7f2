# Ends the command line client's `conn` once connected (tests/test_cli.py).
def onConnect(connack):
    print("script: connected, exiting")
    CommonHelper.exit()
