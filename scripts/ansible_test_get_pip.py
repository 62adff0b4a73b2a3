"""paynet.netinfra get-pip stand-in for ansible-test.

ansible-test bootstraps pip into every sanity/units venv by running a get-pip
script that it downloads from ci-files.testing.ansible.com; that host is not
reachable from our machines. ansible-test first looks for a cached copy at
~/.ansible/test/cache/get_pip_<pip version>.py, so scripts/setup.sh copies
this file there.

It is run (through ansible-test's quiet_pip.py, via runpy) inside the new venv
with pip's install arguments, e.g. ``--disable-pip-version-check pip==25.2
--no-setuptools --no-wheel``. We bootstrap pip from the interpreter's bundled
wheel (ensurepip), then let that pip install the requested version from PyPI.
"""
import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"],
                          stdout=subprocess.DEVNULL)
    if args:
        subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main()
