"""The image model: stages, inheritance, the state in force at every step."""
from nodeguard.model.image import build_image, expand
from nodeguard.model.parse import parse_dockerfile


def image_of(text: str):
    return build_image(parse_dockerfile("Dockerfile", text.encode()))


def test_expand_substitutes_known_variables_and_keeps_unknown_ones():
    variables = {"NODE": "22", "EMPTY": ""}
    assert expand("node:${NODE}-alpine", variables) == "node:22-alpine"
    assert expand("node:$NODE", variables) == "node:22"
    assert expand("node:${MISSING}", variables) == "node:${MISSING}"
    assert expand("${EMPTY:-lts}", variables) == "lts"
    assert expand("${EMPTY-lts}", variables) == ""
    assert expand("${NODE:+set}", variables) == "set"
    assert expand("${MISSING:-${NODE}}", variables) == "22"


def test_global_args_resolve_in_from_and_stage_names():
    image = image_of("""ARG NODE_VERSION=22
FROM node:${NODE_VERSION}-alpine AS Build
FROM build AS final
""")
    first, second = image.stages
    assert first.base.tag == "22-alpine" and first.name == "Build"
    assert second.parent is first
    assert second.root_base.tag == "22-alpine"
    assert image.final is second


def test_env_user_workdir_inherit_from_parent_stage():
    image = image_of("""FROM node:22-alpine AS base
ENV NODE_ENV=production
WORKDIR /app
USER node
FROM base
WORKDIR src
RUN npm ci
""")
    final = image.final
    assert final.env == {"NODE_ENV": "production"}
    assert final.user == "node" and final.user_step.line == 4
    assert final.workdir == "/app/src"
    run = final.steps[-1]
    assert run.env["NODE_ENV"] == "production" and run.user == "node"
    assert [c.argv for c in run.commands] == [("npm", "ci")]
    assert [s.line for s in final.all_steps()] == [2, 3, 4, 6, 7]


def test_env_at_each_step_is_the_env_in_force_then():
    image = image_of("""FROM node:22
RUN npm ci
ENV NODE_ENV=production
RUN npm prune
""")
    first_run, _, second_run = image.final.steps
    assert "NODE_ENV" not in first_run.env
    assert second_run.env["NODE_ENV"] == "production"


def test_entrypoint_resets_inherited_cmd_but_not_one_set_in_the_same_stage():
    image = image_of("""FROM node:22 AS base
CMD ["node", "a.js"]
FROM base AS child
ENTRYPOINT ["dumb-init"]
FROM base AS same
CMD ["node", "b.js"]
ENTRYPOINT ["tini", "--"]
""")
    base, child, same = image.stages
    assert base.cmd.json_args == ("node", "a.js")
    assert child.cmd is None and child.entrypoint.json_args == ("dumb-init",)
    assert same.cmd.json_args == ("node", "b.js")


def test_copy_from_edges_and_shipped_stages():
    image = image_of("""FROM node:22 AS deps
RUN npm ci
FROM node:22 AS unused
RUN echo unused
FROM node:22-alpine AS runtime
COPY --from=deps /app/node_modules ./node_modules
COPY --from=0 /x /x
""")
    final = image.final
    sources = [(step.line, stage.name) for step, stage in image.copy_sources(final)]
    assert sources == [(6, "deps"), (7, "deps")]
    assert [s.name for s in image.shipped_stages()] == ["deps", "runtime"]
    assert image.anchor.start_line == 5


def test_run_commands_from_heredoc_and_exec_form():
    image = image_of(
        "FROM node:22\n"
        "RUN <<EOF\nnpm ci --omit=dev\nnpm cache clean --force\nEOF\n"
        'RUN ["npm", "ci"]\n'
        'RUN ["/bin/sh", "-c", "npm ci && npm run build"]\n'
        "RUN cat <<EOF > /app/.npmrc\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nEOF\n"
    )
    heredoc_run, exec_run, shell_exec_run, cat_run = image.final.steps
    assert [c.argv for c in heredoc_run.commands] == [("npm", "ci", "--omit=dev"), ("npm", "cache", "clean", "--force")]
    assert [c.argv for c in exec_run.commands] == [("npm", "ci")]
    assert [c.argv for c in shell_exec_run.commands] == [("npm", "ci"), ("npm", "run", "build")]
    assert [c.program for c in cat_run.commands] == ["cat"]


def test_arg_in_stage_takes_global_default_and_user_variables_expand():
    image = image_of("ARG APP_USER=node\nFROM node:22\nARG APP_USER\nUSER ${APP_USER}\n")
    assert image.final.user == "node"


def test_no_from_gives_no_stages():
    image = image_of("RUN echo hi\n")
    assert image.stages == [] and image.final is None and image.anchor is None


def test_quotes_around_workdir_and_user_are_removed_as_buildkit_does():
    image = image_of("FROM node:22\nWORKDIR '/usr/src/root'\nWORKDIR \"my app\"\nUSER \"node\"\n")
    assert image.final.workdir == "/usr/src/root/my app"
    assert image.final.user == "node"


def test_env_arg_and_global_arg_values_are_read_with_the_files_escape_character():
    image = image_of("""# escape=`
ARG TAG=24`-alpine
FROM node:${TAG}
ARG GREETING="say `"hi`""
ENV NODE_ENV=prod`uction APPDIR=C:\\app
ENV LOGDIR C:\\logs\\app
""")
    assert image.global_args == {"TAG": "24-alpine"}
    final = image.final
    assert final.base.tag == "24-alpine"
    assert final.env == {"NODE_ENV": "production", "APPDIR": "C:\\app", "LOGDIR": "C:\\logs\\app"}
    assert final.steps[0].args == {} and final.steps[1].args["GREETING"] == 'say "hi"'


def test_without_the_directive_a_backslash_escapes_and_a_backtick_is_kept():
    final = image_of("FROM node:24\nENV NODE_ENV=prod`uction APPDIR=C:\\app\n").final
    assert final.env == {"NODE_ENV": "prod`uction", "APPDIR": "C:app"}
