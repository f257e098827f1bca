import json

import pytest

from nodeguard.node.app import MAX_FILES, find_entry_point, handles_shutdown, strip_comments


def reader(files: dict[str, str]):
    calls = []

    def read_text(path: str) -> str | None:
        calls.append(path)
        return files.get(path)

    read_text.calls = calls
    return read_text


def package(**fields) -> str:
    return json.dumps(fields)


APP = {
    "server.js": "require('./lib')",
    "dist/main.js": "",
    "dist/server.js": "",
    "dist/esm.mjs": "",
    "dist/cjs.cjs": "",
    "dist/folder/index.js": "",
    "src/main.ts": "",
    "index.js": "",
}


@pytest.mark.parametrize(
    ("argv", "entry"),
    [
        (["node", "server.js"], "server.js"),
        (["node", "./server.js"], "server.js"),
        (["/usr/local/bin/node", "server.js"], "server.js"),
        (["node", "--enable-source-maps", "dist/main.js"], "dist/main.js"),
        (["node", "--max-old-space-size=512", "-r", "dotenv/config", "dist/main.js", "--port", "3000"], "dist/main.js"),
        (["node", "--require", "./tracing.js", "dist/main.js"], "dist/main.js"),
        (["node", "--", "dist/main.js"], "dist/main.js"),
        (["node", "dist/server"], "dist/server.js"),
        (["node", "dist/esm"], "dist/esm.mjs"),
        (["node", "dist/cjs"], "dist/cjs.cjs"),
        (["node", "dist/folder"], "dist/folder/index.js"),
        (["dumb-init", "node", "server.js"], "server.js"),
        (["/sbin/tini", "--", "node", "dist/main.js"], "dist/main.js"),
        (["env", "NODE_ENV=production", "node", "server.js"], "server.js"),
        (["gosu", "node", "node", "server.js"], "server.js"),
        (["exec", "node", "server.js"], "server.js"),
        (["ts-node", "src/main.ts"], "src/main.ts"),
        (["npx", "tsx", "watch", "src/main.ts"], "src/main.ts"),
        (["node", "dist/main.ts"], None),
        (["node", "missing.js"], None),
        (["node", "-e", "console.log(1)"], None),
        (["node", "--version"], None),
        (["node"], None),
        (["node", "/app/server.js"], None),  # absolute: the caller maps container paths
        (["node", "../outside.js"], None),
        (["nest", "start"], None),
        (["python", "app.py"], None),
        (["sh", "-c", "node server.js"], None),
        ([], None),
    ],
)
def test_entry_from_node_commands(argv, entry):
    assert find_entry_point(argv, reader(APP), "") == entry


def test_entry_relative_to_the_workdir():
    files = {"services/api/dist/main.js": "", "services/api/package.json": package(main="dist/main.js")}
    assert find_entry_point(["node", "dist/main.js"], reader(files), "services/api") == "services/api/dist/main.js"
    assert find_entry_point(["node", "."], reader(files), "services/api") == "services/api/dist/main.js"
    assert find_entry_point(["node", "../api/dist/main.js"], reader(files), "services/api") == "services/api/dist/main.js"


@pytest.mark.parametrize(
    ("main", "files", "entry"),
    [
        ("lib/app.js", {"lib/app.js": ""}, "lib/app.js"),
        ("lib/app", {"lib/app.js": ""}, "lib/app.js"),
        ("lib", {"lib/index.js": ""}, "lib/index.js"),
        (None, {"index.js": ""}, "index.js"),
        ("missing.js", {"index.js": ""}, "index.js"),
        (None, {}, None),
    ],
)
def test_node_dot_runs_package_main(main, files, entry):
    fields = {"name": "app"} if main is None else {"name": "app", "main": main}
    assert find_entry_point(["node", "."], reader({"package.json": package(**fields), **files}), "") == entry


def test_node_dot_without_package_json_uses_index():
    assert find_entry_point(["node", "."], reader({"index.js": ""}), "") == "index.js"


@pytest.mark.parametrize(
    "argv",
    [
        ["npm", "start"],
        ["npm", "run", "start"],
        ["npm", "run-script", "start"],
        ["yarn", "start"],
        ["yarn", "run", "start"],
        ["pnpm", "start"],
        ["pnpm", "run", "start"],
        ["bun", "run", "start"],
        ["dumb-init", "npm", "start"],
    ],
)
def test_package_manager_start_reads_the_start_script(argv):
    files = {"package.json": package(scripts={"start": "node dist/main.js"}), "dist/main.js": ""}
    assert find_entry_point(argv, reader(files), "") == "dist/main.js"


@pytest.mark.parametrize(
    ("scripts", "entry"),
    [
        ({"start": "node dist/main.js"}, "dist/main.js"),
        ({"start": "NODE_ENV=production node dist/main.js"}, "dist/main.js"),
        ({"start": "cross-env NODE_ENV=production node --enable-source-maps dist/main"}, "dist/main.js"),
        ({"start": "npm run build && node dist/main.js"}, "dist/main.js"),
        ({"start": "npm run start:prod", "start:prod": "node dist/main.js"}, "dist/main.js"),
        ({"start": "ts-node src/main.ts"}, "src/main.ts"),
        ({"start": "tsx src/main.ts"}, "src/main.ts"),
        ({"start": "node -r ts-node/register src/main.ts"}, "src/main.ts"),
        ({"start": "nest start"}, None),
        ({"start": "next start"}, None),
        ({"start": "node 'unterminated"}, None),
        ({"start": "npm start"}, None),  # loops until the depth limit
        ({"build": "tsc"}, None),
        ({}, None),
    ],
)
def test_start_scripts(scripts, entry):
    files = {"package.json": package(scripts=scripts), "dist/main.js": "", "src/main.ts": ""}
    assert find_entry_point(["npm", "run", "start"], reader(files), "") == entry


def test_npm_start_defaults_to_server_js():
    files = {"package.json": package(name="app"), "server.js": ""}
    assert find_entry_point(["npm", "start"], reader(files), "") == "server.js"
    assert find_entry_point(["yarn", "start"], reader(files), "") is None


def test_named_scripts_and_bad_package_json():
    files = {"package.json": package(scripts={"serve": "node server.js"}), "server.js": ""}
    assert find_entry_point(["yarn", "serve"], reader(files), "") == "server.js"
    assert find_entry_point(["npm", "run", "serve"], reader(files), "") == "server.js"
    assert find_entry_point(["npm", "serve"], reader(files), "") is None
    assert find_entry_point(["npm", "start"], reader({"package.json": "{not json"}), "") is None
    assert find_entry_point(["npm", "start"], reader({"package.json": "[1, 2]"}), "") is None
    assert find_entry_point(["npm", "start"], reader({"package.json": package(scripts="node x")}), "") is None


# --- shutdown handling ---------------------------------------------------------------------------


def shutdown(files: dict[str, str], entry: str = "server.js"):
    return handles_shutdown(entry, reader(files))


@pytest.mark.parametrize(
    ("code", "signals"),
    [
        ("process.on('SIGTERM', () => server.close())", {"SIGTERM"}),
        ('process.on("SIGINT", stop)', {"SIGINT"}),
        ("process.on(`SIGTERM`, stop)", {"SIGTERM"}),
        ("process.once('SIGTERM', stop); process.once('SIGINT', stop)", {"SIGTERM", "SIGINT"}),
        ("process.addListener('SIGTERM', stop)", {"SIGTERM"}),
        ("process\n  .on( 'SIGTERM' , stop)", {"SIGTERM"}),
        ("globalThis.process.on('SIGHUP', reload)", {"SIGHUP"}),
        ("['SIGINT', 'SIGTERM'].forEach(sig => process.on(sig, () => close(sig)))", {"SIGINT", "SIGTERM"}),
        ("for (const signal of ['SIGTERM', \"SIGINT\",]) {\n  process.once(signal, shutdown)\n}", {"SIGINT", "SIGTERM"}),
        (
            "const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };\n"
            "Object.keys(signals).forEach((signal) => { process.on(signal, () => shutdown(signal)) })",
            {"SIGHUP", "SIGINT", "SIGTERM"},
        ),
        ("for (const s of SIGNALS) process.on(s as NodeJS.Signals, stop)\nconst SIGNALS = ['SIGTERM']", {"SIGTERM"}),
        ("process.on('exit', flush); process.on('uncaughtException', log)", set()),
        ("const list = ['SIGTERM', 'SIGINT']; console.log(list)", set()),  # a list, but no process.on(variable)
        ("// process.on('SIGTERM', stop)", set()),
        ("/* process.on('SIGTERM', stop) */", set()),
        ("/*\n * process.on('SIGTERM', stop)\n */", set()),
        ("const url = 'http://example.com'; // process.on('SIGTERM', stop)", set()),
        ("const url = 'http://example.com'; process.on('SIGTERM', stop)", {"SIGTERM"}),
        ("server.on('SIGTERM', stop)", set()),
        ("emitter.on('close', () => process.exit(0))", set()),
    ],
)
def test_signal_handlers_in_the_entry(code, signals):
    result = shutdown({"server.js": code})
    assert result.signals == signals
    assert result.file == ("server.js" if signals else None)
    assert result.library is None


def test_sigterm_only_is_not_both():
    result = shutdown({"server.js": "process.on('SIGTERM', stop)"})
    assert result.handles_sigterm and not result.handles_sigint
    result = shutdown({"server.js": "process.on('SIGINT', stop)"})
    assert result.handles_sigint and not result.handles_sigterm


@pytest.mark.parametrize(
    ("code", "files"),
    [
        ("require('./lib/shutdown')", {"lib/shutdown.js": "process.on('SIGTERM', stop)"}),
        ("const s = require(\"./lib/shutdown.js\")", {"lib/shutdown.js": "process.on('SIGTERM', stop)"}),
        ("import './lib/shutdown.js'", {"lib/shutdown.js": "process.on('SIGTERM', stop)"}),
        ("import { start } from './lib/shutdown'", {"lib/shutdown.mjs": "process.on('SIGTERM', stop)"}),
        ("import start, { x } from './lib/shutdown.js'", {"lib/shutdown.ts": "process.on('SIGTERM', stop)"}),
        ("await import('./lib')", {"lib/index.js": "process.on('SIGTERM', stop)"}),
        ("export * from './lib'", {"lib/index.ts": "process.on('SIGTERM', stop)"}),
        ("export { a } from './lib/shutdown.cjs'", {"lib/shutdown.cjs": "process.on('SIGTERM', stop)"}),
        ("require('./a')", {"a.js": "require('./b')", "b.js": "require('./lib/shutdown')", "lib/shutdown.cts": "process.on('SIGTERM', stop)"}),
    ],
)
def test_handlers_in_imported_files(code, files):
    result = shutdown({"server.js": code, **files})
    assert result.signals == {"SIGTERM"}
    assert result.file == next(path for path in files if "SIGTERM" in files[path])


def test_imports_resolve_relative_to_the_importer():
    files = {
        "src/server.js": "require('../shared/stop')",
        "shared/stop.js": "process.on('SIGTERM', stop)",
        "src/shared/stop.js": "",
    }
    assert handles_shutdown("src/server.js", reader(files)).file == "shared/stop.js"


def test_commented_imports_are_not_followed():
    files = {"server.js": "// require('./stop')\n/* import './stop' */", "stop.js": "process.on('SIGTERM', stop)"}
    result = shutdown(files)
    assert result.signals == frozenset() and result.files_scanned == ("server.js",)


def test_cycles_and_packages_are_not_followed():
    files = {"server.js": "require('./a'); require('express')", "a.js": "require('./server')"}
    result = shutdown(files)
    assert result.files_scanned == ("server.js", "a.js") and result.complete


def test_breadth_first_names_the_nearest_file():
    files = {
        "server.js": "require('./deep'); require('./near')",
        "deep.js": "require('./deeper')",
        "deeper.js": "process.on('SIGTERM', a)",
        "near.js": "process.on('SIGINT', b)",
    }
    result = shutdown(files)
    assert result.file == "near.js" and result.signals == {"SIGTERM", "SIGINT"}


def test_scan_is_bounded():
    files = {f"f{i}.js": f"require('./f{i + 1}')" for i in range(MAX_FILES + 10)}
    files[f"f{MAX_FILES + 5}.js"] = "process.on('SIGTERM', stop)"
    read_text = reader(files)
    result = handles_shutdown("f0.js", read_text)
    assert len(result.files_scanned) == MAX_FILES and not result.complete
    assert result.signals == frozenset()


def test_scan_stops_at_the_character_budget():
    big = "x".ljust(1_500_000)
    result = shutdown({"server.js": big + "\nrequire('./b')", "b.js": big + "\nprocess.on('SIGTERM', s)"})
    assert not result.complete and result.files_scanned == ("server.js",)


def test_missing_entry():
    result = shutdown({})
    assert result.signals == frozenset() and result.files_scanned == () and result.complete


@pytest.mark.parametrize(
    ("code", "library", "signals"),
    [
        ("const closeWithGrace = require('close-with-grace')", "close-with-grace", {"SIGINT", "SIGTERM"}),
        ("import closeWithGrace from 'close-with-grace'", "close-with-grace", {"SIGINT", "SIGTERM"}),
        ("const { createTerminus } = require('@godaddy/terminus'); createTerminus(server, { onSignal })", "@godaddy/terminus", {"SIGTERM"}),
        (
            "import { createTerminus } from '@godaddy/terminus';\ncreateTerminus(server, { signals: ['SIGINT', 'SIGTERM'], onSignal })",
            "@godaddy/terminus",
            {"SIGINT", "SIGTERM"},
        ),
        ("import { createTerminus } from '@godaddy/terminus'; createTerminus(s, { signal: 'SIGINT' })", "@godaddy/terminus", {"SIGINT"}),
        ("import { createLightship } from 'lightship'", "lightship", {"SIGTERM", "SIGHUP", "SIGINT"}),
        ("fastify.register(require('fastify-graceful-shutdown'))", "fastify-graceful-shutdown", {"SIGINT", "SIGTERM"}),
        ("import exitHook from 'exit-hook'", "exit-hook", {"SIGINT", "SIGTERM"}),
    ],
)
def test_shutdown_libraries(code, library, signals):
    result = shutdown({"server.js": code})
    assert result.library == library and result.signals == signals and result.file == "server.js"


def test_library_and_own_handler_add_up():
    code = "import closeWithGrace from 'close-with-grace'\nprocess.on('SIGHUP', reload)"
    result = shutdown({"server.js": code})
    assert result.signals == {"SIGHUP", "SIGINT", "SIGTERM"} and result.library == "close-with-grace"


@pytest.mark.parametrize("package_name", ["http-terminator", "stoppable", "@nestjs/terminus"])
def test_close_helpers_register_no_signal(package_name):
    result = shutdown({"server.js": f"import helper from '{package_name}'\nconst x = require('{package_name}/lib')"})
    assert result.signals == frozenset() and result.library is None
    assert result.close_helpers == (package_name,)


def test_nest_enable_shutdown_hooks():
    main = "const app = await NestFactory.create(AppModule);\napp.enableShutdownHooks();\nawait app.listen(3000);"
    result = shutdown({"src/main.ts": main}, "src/main.ts")
    assert result.library == "@nestjs/core" and {"SIGTERM", "SIGINT", "SIGHUP"} <= result.signals
    listed = shutdown({"main.ts": "app.enableShutdownHooks(['SIGTERM'])"}, "main.ts")
    assert listed.signals == {"SIGTERM"}
    commented = shutdown({"main.ts": "// app.enableShutdownHooks()"}, "main.ts")
    assert commented.signals == frozenset()


def test_a_library_named_in_a_comment_does_not_count():
    assert shutdown({"server.js": "// import closeWithGrace from 'close-with-grace'"}).signals == frozenset()


def test_strip_comments_keeps_strings():
    code = "const a = '// not a comment'; // gone\nconst b = \"/* kept */\"; /* gone */ const c = `// kept`"
    stripped = strip_comments(code)
    assert "'// not a comment'" in stripped and '"/* kept */"' in stripped and "`// kept`" in stripped
    assert "gone" not in stripped
    assert strip_comments("a /* unterminated") == "a  "
