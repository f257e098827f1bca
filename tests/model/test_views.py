"""Typed views of steps that rules read instead of strings: copies, words, users, scripts."""
from nodeguard.model.copies import context_copy, copy_at, copy_of, copy_words
from nodeguard.model.image import build_image, shell_word
from nodeguard.model.parse import parse_dockerfile


def image_of(text: str):
    return build_image(parse_dockerfile("Dockerfile", text.encode()))


def last_step(text: str):
    return image_of(text).final.steps[-1]


# --- one word as BuildKit's shell lexer reads it ----------------------------------------------------------

def test_a_word_loses_its_quotes_and_escapes_and_gains_its_variables():
    variables = {"APP": "/srv/app", "EMPTY": ""}
    assert shell_word('"$APP/dist"', variables) == "/srv/app/dist"
    assert shell_word("'$APP'", variables) == "$APP"  # no substitution inside single quotes
    assert shell_word(r"\$APP", variables) == "$APP"
    assert shell_word(r'"say \"hi\""', variables) == 'say "hi"'
    assert shell_word(r'"C:\app"', variables) == r"C:\app"  # inside double quotes only \" \$ \\ are escapes
    assert shell_word(r"C:\app", variables) == "C:app"
    assert shell_word("${EMPTY:-lts}", variables) == "lts"
    assert shell_word("/usr/src/my app", variables) == "/usr/src/my app"  # one word: white space is kept


def test_a_word_is_read_with_the_files_escape_character():
    assert shell_word(r"C:\app", {}, escape="`") == r"C:\app"
    assert shell_word("a` b", {}, escape="`") == "a b"
    assert shell_word('"`$HOME"', {"HOME": "/root"}, escape="`") == "$HOME"


def test_a_plain_word_is_only_substituted():
    assert shell_word("node:${TAG}", {"TAG": "22"}) == "node:22"
    assert shell_word("$MISSING/x", {}) == "$MISSING/x"


def test_an_unterminated_quote_reads_to_the_end_of_the_word():
    assert shell_word('"a', {}) == "a"
    assert shell_word("'a", {}) == "a"


# --- COPY and ADD -----------------------------------------------------------------------------------------

def test_exec_form_copy_keeps_white_space_inside_a_source():
    copy = copy_of(last_step('FROM node:22\nCOPY ["a b", "/app/"]\n'))
    assert copy.sources == ("a b",) and copy.destination == "/app/" and copy.target == "/app"


def test_shell_form_copy_splits_at_white_space_as_buildkit_does_not_as_a_posix_shell():
    # BuildKit splits COPY's words at white space before it reads quotes: ``"a b"`` is two words to it
    # (and the build then fails on the unterminated quotes); shlex would have made one source "a b".
    assert copy_words(last_step('FROM node:22\nCOPY "a b" /app/\n')) == ["a", "b", "/app/"]
    assert copy_words(last_step("FROM node:22\nCOPY \"package.json\" 'yarn.lock' ./\n")) == [
        "package.json", "yarn.lock", "./"]


def test_copy_words_use_the_files_escape_character():
    step = last_step("# escape=`\nFROM node:22\nCOPY C:\\src\\app C:\\app\\\n")
    assert copy_words(step) == ["C:\\src\\app", "C:\\app\\"]
    default = last_step("FROM node:22\nCOPY C:\\src\\app C:\\app\n")
    assert copy_words(default) == ["C:srcapp", "C:app"]


def test_copy_words_substitute_args_and_env_in_force():
    step = last_step('FROM node:22\nARG SRC=dist\nENV DEST=/srv\nCOPY ["${SRC}/", "$DEST/"]\n')
    assert copy_words(step) == ["dist/", "/srv/"]


def test_copy_options_are_typed():
    copy = copy_of(last_step(
        "FROM node:22 AS build\nFROM node:22\nARG OWNER=node\nWORKDIR /app\n"
        "COPY --from=build --chown=${OWNER}:node --chmod=644 --link --exclude=*.md --exclude=test dist ./dist\n"))
    assert copy.source_stage == "build"
    assert copy.chown == "${OWNER}:node" and copy.owner == "node:node"
    assert copy.chmod == "644" and copy.link is True
    assert copy.excludes == ("*.md", "test")
    assert copy.target == "/app/dist"


def test_copy_without_options_has_none():
    copy = copy_of(last_step("FROM node:22\nCOPY --chown=node:node . .\n"))
    assert copy.chown == "node:node" and copy.owner == "node:node"
    plain = copy_of(last_step("FROM node:22\nCOPY . .\n"))
    assert (plain.source_stage, plain.chown, plain.owner, plain.chmod, plain.link, plain.excludes) == (
        None, None, None, None, False, ())
    assert copy_of(last_step("FROM node:22\nCOPY --link=false . .\n")).link is False


def test_a_copy_needs_a_source_and_a_destination():
    assert copy_of(last_step("FROM node:22\nCOPY onlyone\n")) is None
    assert copy_of(last_step("FROM node:22\nRUN cp a b\n")) is None


def test_context_copy_leaves_out_other_stages_urls_and_heredocs():
    assert context_copy(last_step("FROM node:22 AS a\nFROM node:22\nCOPY --from=a /x /y\n")) is None
    assert context_copy(last_step("FROM node:22\nADD https://example.com/a.tgz /tmp/\n")) is None
    found = context_copy(last_step("FROM node:22\nCOPY --from= package.json ./\n"))  # an empty --from: the context
    assert found is not None and found.sources == ("package.json",)


def test_copy_at_finds_a_steps_copy_once_per_image():
    image = image_of("FROM node:22\nCOPY a ./\nRUN true\n")
    copy_step, run_step = image.final.steps
    assert copy_at(image, copy_step).sources == ("a",)
    assert copy_at(image, run_step) is None


# --- USER, WORKDIR and RUN ----------------------------------------------------------------------------------

def test_user_and_workdir_are_one_word_each_read_as_buildkit_reads_them():
    image = image_of('FROM node:22\nARG U=node\nUSER "$U"\nWORKDIR "/usr/src/my app"\n')
    final = image.final
    assert final.user == "node" and final.steps[1].switches_to == "node"
    assert final.workdir == "/usr/src/my app"
    assert final.steps[0].switches_to is None


def test_workdir_keeps_a_backslash_under_the_backtick_escape():
    assert image_of("# escape=`\nFROM node:22\nWORKDIR C:\\app\n").final.workdir.endswith("C:\\app")


def test_run_script_holds_heredoc_bodies_and_the_exec_forms_shell_script():
    step = last_step("FROM node:22\nRUN <<EOF\nnpm ci\nEOF\n")
    assert step.script == "<<EOF" + "npm ci\n"
    assert last_step('FROM node:22\nRUN ["npm", "ci"]\n').script == "npm ci"
    assert last_step('FROM node:22\nRUN ["/bin/sh", "-c", "echo $TOKEN > .npmrc"]\n').script == "echo $TOKEN > .npmrc"
    assert last_step("FROM node:22\nCOPY a b\n").script == ""


# --- CMD/ENTRYPOINT, HEALTHCHECK and FROM --------------------------------------------------------------------

def test_plain_argv_is_the_exec_form_or_a_shell_form_of_plain_words():
    from nodeguard.model.process import plain_argv, shell_form_script
    cmd = last_step('FROM node:22\nCMD ["node", "my app.js"]\n').instruction
    assert plain_argv(cmd) == ["node", "my app.js"] and shell_form_script(cmd) is None
    shell = last_step("FROM node:22\nCMD npm start\n").instruction
    assert plain_argv(shell) == ["npm", "start"] and shell_form_script(shell) == "npm start"
    assert plain_argv(last_step('FROM node:22\nCMD node "$APP"\n').instruction) is None  # needs the shell


def test_simple_command_words_are_shell_words_of_one_command_only():
    from nodeguard.model.shell import simple_command_words
    assert simple_command_words('gosu node "$@"') == ("gosu", "node", "$@")
    assert simple_command_words("node 'a && b'") == ("node", "a && b")  # quoted operators are words
    assert simple_command_words("node app.js && echo done") is None
    assert simple_command_words("node app.js > log") is None
    assert simple_command_words("") is None


def test_healthcheck_commands_read_the_exec_and_the_shell_form():
    from nodeguard.model.image import healthcheck_commands
    shell = last_step("FROM node:22\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\n")
    assert [command.program for command in healthcheck_commands(shell)] == ["curl", "exit"]
    exec_form = last_step('FROM node:22\nHEALTHCHECK CMD ["wget", "-q", "http://localhost/"]\n')
    assert [command.argv for command in healthcheck_commands(exec_form)] == [("wget", "-q", "http://localhost/")]
    assert healthcheck_commands(last_step("FROM node:22\nHEALTHCHECK NONE\n")) == ()
    assert healthcheck_commands(last_step("FROM node:22\nRUN curl x\n")) == ()


def test_a_stage_keeps_its_image_word_as_written():
    image = image_of("ARG V=22\nFROM --platform=$BUILDPLATFORM node:${V}-alpine AS build\nFROM build\n")
    assert image.stages[0].written_base == "node:${V}-alpine" and image.stages[0].base.tag == "22-alpine"
    assert image.stages[1].written_base == "build"


def test_replace_word_edits_one_whole_word_or_nothing():
    from nodeguard.fix_builders import UNSAFE, replace_word
    copy = last_step("FROM node:22\nCOPY package.json ./\n").instruction
    fix = replace_word(copy, "package.json", "package.json package-lock.json", UNSAFE)
    assert fix is not None and fix.replacement == "COPY package.json package-lock.json ./"
    from_ = image_of("FROM node:22\n").final.from_instruction
    assert replace_word(from_, "node:22", "node:22-slim", UNSAFE).replacement == "FROM node:22-slim"
    twice = last_step("FROM node:22\nCOPY a a/\n").instruction
    assert replace_word(twice, "a", "b", UNSAFE) is not None  # "a/" is another word
    assert replace_word(last_step("FROM node:22\nCOPY a b a\n").instruction, "a", "c", UNSAFE) is None


# --- RUN mounts and the instruction as written ------------------------------------------------------------------

def test_run_mounts_are_typed():
    step = last_step("FROM node:22\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc "
                     "--mount=type=bind,src=package.json,target=/app/package.json --mount=target=/x npm ci\n")
    secret, bind, default = step.mounts
    assert secret.kind == "secret" and secret.option("id") == "npmrc" and secret.option("target") == "/root/.npmrc"
    assert bind.kind == "bind" and bind.option("source", "src") == "package.json"
    assert default.kind == "bind" and default.option("from") is None  # type=bind is the default
    assert last_step("FROM node:22\nRUN npm ci\n").mounts == ()
    assert last_step("FROM node:22\nCOPY --link a b\n").mounts == ()


def test_first_line_and_indent_of_an_instruction():
    copy = last_step("FROM node:22\n  COPY . \\\n    /app\n").instruction
    assert copy.first_line == "COPY . \\" and copy.indent == "  "
    assert last_step("FROM node:22\nUSER node\n").instruction.indent == ""
