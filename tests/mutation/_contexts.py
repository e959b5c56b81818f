"""A pytest plugin for the coverage run of `make mutate`: each test's lines are recorded under its pytest node id
(parameters included), so that a mutant runs only the parametrized cases that execute its line."""
import coverage
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid)
    yield
    if cov is not None:
        cov.switch_context("")
