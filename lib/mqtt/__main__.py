# python -m mqtt / micropython -m mqtt: the command line client (cli.py)
from mqtt.cli import main

main()
