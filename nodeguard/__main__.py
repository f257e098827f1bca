import sys

from nodeguard.cli import main

sys.exit(main())
