"""The GitHub Action's entry point.

The action's image starts it as ``python -P /app/entrypoint.py`` (exec form): ``-P`` keeps the script's
folder and the working directory (the workspace, which holds the pull request's files) off ``sys.path``,
so nothing from the pull request can shadow a module. Everything else happens in the installed package.
"""
import sys

from nodeguard.github.action import main

if __name__ == "__main__":
    sys.exit(main())
