# A script whose top level fails: the command line client says so and exits 1.
raise RuntimeError("this script cannot start")
