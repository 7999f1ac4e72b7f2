# tests/test_core.py's vectors under MicroPython (the unix port, or a board
# with tests/ mounted): run by tests/mpytest.py, the pytest it needs.
# env (or a global set before this file): TESTS, the folder of test_core.py
import sys
try:
    TESTS
except NameError:
    import os
    TESTS = os.getenv("TESTS")
sys.path.insert(0, TESTS)
import mpytest  # noqa: E402

failed = mpytest.main("test_core", {"test_constants_copied_from_the_core_agree": "reads lib/'s sources"}, TESTS)
print("OK" if not failed else "FAILED")
