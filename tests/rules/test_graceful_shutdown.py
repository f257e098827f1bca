"""NG601 graceful-shutdown: the app's entry point (and what it imports) handles SIGTERM and SIGINT."""
import json

import pytest

from nodeguard.findings import Severity

BOTH = "process.on('SIGTERM', close)\nprocess.on('SIGINT', close)\n"
HEAD = "FROM node:22-alpine\nWORKDIR /usr/src/app\nCOPY . .\n"


def app(**files):
    return {"package.json": json.dumps({"main": "server.js", "scripts": {"start": "node server.js"}}), **files}


@pytest.mark.parametrize(
    "process",
    [
        'CMD ["node", "server.js"]',
        'CMD ["dumb-init", "node", "server.js"]',
        'ENTRYPOINT ["/sbin/tini", "--"]\nCMD ["node", "server.js"]',
        'CMD ["npm", "start"]',
        'CMD ["node", "."]',
        'CMD ["node", "/usr/src/app/server.js"]',
        "CMD node server.js",
        'CMD ["server.js"]',
    ],
)
def test_entry_point_without_handlers(lint, process):
    files = app(**{"server.js": "require('http').createServer().listen(3000)\n"})
    dockerfile = HEAD + process + "\n"
    [found] = lint(dockerfile, files=files, rule="NG601").findings
    assert found.severity == Severity.WARNING and found.line == len(dockerfile.splitlines())
    assert found.message.startswith("the app's entry point server.js handles neither SIGTERM nor SIGINT")


def test_the_missing_signal_is_named(lint):
    files = app(**{"server.js": "process.on('SIGINT', () => process.exit())\n"})
    [found] = lint(HEAD + 'CMD ["node", "server.js"]\n', files=files, rule="NG601").findings
    assert "handles SIGINT but not SIGTERM, which `docker stop` and Kubernetes send" in found.message
    files = app(**{"server.js": "process.once('SIGTERM', shutdown)\n"})
    [found] = lint(HEAD + 'CMD ["node", "server.js"]\n', files=files, rule="NG601").findings
    assert "handles SIGTERM but not SIGINT, which Ctrl-C sends" in found.message


@pytest.mark.parametrize(
    "files",
    [
        app(**{"server.js": BOTH}),
        app(**{"server.js": "require('./lib/shutdown')\n", "lib/shutdown.js": BOTH}),
        app(**{"server.js": "for (const s of ['SIGTERM', 'SIGINT']) process.on(s, close)\n"}),
        app(**{"server.js": "const closeWithGrace = require('close-with-grace')\ncloseWithGrace({}, async () => {})\n"}),
        app(**{"server.js": "import { createLightship } from 'lightship'\n"}),
    ],
)
def test_handlers_in_the_entry_or_an_import_pass(lint, files):
    assert lint(HEAD + 'CMD ["node", "server.js"]\n', files=files, rule="NG601").findings == []


def test_close_helper_alone_is_not_a_handler(lint):
    files = app(**{"server.js": "const { createHttpTerminator } = require('http-terminator')\n"})
    [found] = lint(HEAD + 'CMD ["node", "server.js"]\n', files=files, rule="NG601").findings
    assert "(http-terminator closes the server only when a signal handler calls it)" in found.message


def test_imports_are_counted_in_the_message(lint):
    files = app(**{"server.js": "require('./a')\nrequire('./b')\n", "a.js": "", "b.js": "process.on('SIGTERM', f)\n"})
    [found] = lint(HEAD + 'CMD ["node", "server.js"]\n', files=files, rule="NG601").findings
    assert found.message.startswith("the app's entry point server.js (and the 2 files it imports) handles SIGTERM but not SIGINT")


@pytest.mark.parametrize(
    "dockerfile, files",
    [
        # the code is not in the context
        (HEAD + 'CMD ["node", "missing.js"]\n', app()),
        # the process is not node
        (HEAD + 'CMD ["./start.sh"]\n', app(**{"start.sh": "#!/bin/sh\nexec node server.js\n"})),
        # the WORKDIR cannot be mapped to the context: nothing copied there
        ('FROM node:22-alpine\nWORKDIR /app\nCMD ["node", "server.js"]\n', app(**{"server.js": ""})),
        # a script that does more than start node
        (HEAD + 'CMD ["npm", "run", "dev"]\n', {"package.json": '{"scripts": {"dev": "nodemon server.js"}}', "server.js": ""}),
    ],
)
def test_nothing_is_said_when_the_code_cannot_be_found(lint, dockerfile, files):
    assert lint(dockerfile, files=files, rule="NG601").findings == []


def test_copied_folders_map_the_workdir(lint):
    files = {"src/server.js": "listen()\n", "package.json": "{}"}
    dockerfile = 'FROM node:22-alpine\nWORKDIR /usr/src/app\nCOPY package.json ./\nCOPY src/ ./src/\nCMD ["node", "src/server.js"]\n'
    [found] = lint(dockerfile, files=files, rule="NG601").findings
    assert found.message.startswith("the app's entry point src/server.js handles neither")


def test_compiled_output_is_read_from_its_typescript_source(lint):
    files = {
        "package.json": '{"scripts": {"build": "tsc"}}',
        "src/main.ts": "import { start } from './server'\nstart()\n",
        "src/server.ts": "process.on('SIGTERM', stop)\n",
    }
    single = HEAD + 'RUN npm ci && npm run build\nCMD ["node", "dist/main.js"]\n'
    [found] = lint(single, files=files, rule="NG601").findings
    assert found.message.startswith("the app's entry point src/main.ts (and the file it imports) handles SIGTERM but not SIGINT")
    multi = (
        "FROM node:22 AS build\nWORKDIR /app\nCOPY package*.json tsconfig.json ./\nCOPY src ./src\nRUN npm ci && npm run build\n"
        'FROM node:22-alpine\nWORKDIR /srv\nCOPY --from=build /app/dist ./dist\nCMD ["node", "dist/main"]\n'
    )
    [found] = lint(multi, files=files, rule="NG601").findings
    assert found.line == 9 and "src/main.ts" in found.message


def test_tsconfig_out_dir_and_root_dir(lint):
    files = {
        "tsconfig.json": '{\n  // build\n  "compilerOptions": {"outDir": "build/js", "rootDir": "app"}\n}\n',
        "app/index.ts": "export {}\n",
    }
    [found] = lint(HEAD + 'CMD ["node", "build/js/index.js"]\n', files=files, rule="NG601").findings
    assert "app/index.ts" in found.message


def test_nothing_is_said_when_the_context_is_not_on_disk():
    from nodeguard.model.context import BuildContext, UnreadFiles
    from nodeguard.model.image import build_image
    from nodeguard.model.parse import parse_dockerfile
    from nodeguard.rules import rule_by_id
    from nodeguard.rules.base import NoOptions

    image = build_image(parse_dockerfile("Dockerfile", HEAD.encode() + b'CMD ["node", "server.js"]\n'))
    context = BuildContext(UnreadFiles(), display_root="", dockerignore=None)
    assert list(rule_by_id("NG601").check(image, context, NoOptions())) == []
