"""The kernel a run starts: ipykernel, with its standard error sent to the run's kernel.log.

A kernel that is stopped mid-message prints an English traceback; the registrar's console never sees it.
gradlib's own Chinese warnings still reach the console, through the copy kept in GRADLIB_CONSOLE_FD.
"""
import os
import sys


def main():
    log = os.environ.get("GRADLIB_KERNEL_LOG")
    if log:
        os.environ["GRADLIB_CONSOLE_FD"] = str(os.dup(2))  # the console, for gradlib's own one-line warnings
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    from ipykernel import kernelapp

    sys.argv[0] = "gradlib-kernel"
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
