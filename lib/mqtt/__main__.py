# python -m mqtt / micropython -m mqtt: the command line client (cli.py).
# Imported as mqtt.__main__ (as a check of the frozen set does), it runs nothing.
if __name__ == "__main__":
    from mqtt.cli import main

    main()
