"""NG202 dev-dependencies-in-image: devDependencies installed in, or copied into, the shipped image."""
import pytest

from nodeguard.findings import Severity

DEV = {"package.json": '{"dependencies": {"fastify": "4"}, "devDependencies": {"typescript": "5"}}', "package-lock.json": "{}"}


@pytest.mark.parametrize(
    "run",
    [
        "npm ci",
        "npm install",
        "npm ci --include=dev",
        "yarn install --frozen-lockfile",
        "pnpm install --frozen-lockfile",
        "bun install",
        "NODE_ENV=development npm ci",
    ],
)
def test_full_install_in_the_final_stage(lint, run):
    [found] = lint(f"FROM node:22-alpine\nWORKDIR /app\nRUN {run}\nCMD [\"node\", \"server.js\"]\n", files=DEV, rule="NG202").findings
    assert found.line == 3 and found.severity == Severity.WARNING
    assert "installs devDependencies into the shipped image" in found.message


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\nRUN npm ci --omit=dev\n",
        "FROM node:22-alpine\nRUN npm ci --only=production\n",
        "FROM node:22-alpine\nRUN npm install --production\n",
        "FROM node:22-alpine\nRUN yarn install --frozen-lockfile --production\n",
        "FROM node:22-alpine\nRUN pnpm install --frozen-lockfile --prod\n",
        "FROM node:22-alpine\nENV NODE_ENV=production\nRUN npm ci\n",
        "FROM node:22-alpine\nENV NODE_ENV production\nRUN yarn install --frozen-lockfile\n",
        "FROM node:22-alpine\nARG NODE_ENV=production\nRUN npm ci\n",
        "FROM node:22-alpine\nRUN NODE_ENV=production npm ci\n",
        "FROM node:22-alpine\nENV NPM_CONFIG_OMIT=dev\nRUN npm ci\n",
        # built, then pruned
        "FROM node:22-alpine\nRUN npm ci && npm run build && npm prune --omit=dev\n",
        "FROM node:22-alpine\nRUN npm ci\nRUN npm run build\nRUN npm prune --production\n",
        "FROM node:22-alpine\nRUN pnpm install --frozen-lockfile && pnpm build && pnpm prune --prod\n",
        "FROM node:22-alpine\nRUN yarn install --immutable && yarn build && yarn workspaces focus --production\n",
        "FROM node:22-alpine\nRUN npm ci && npm run build && rm -rf node_modules && npm ci --omit=dev\n",
        # a build stage may keep its devDependencies when only its output is shipped
        "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci && npm run build\n"
        "FROM node:22-alpine\nWORKDIR /app\nCOPY --from=build /app/dist ./dist\n",
        # global tools are not the app's node_modules
        "FROM node:22-alpine\nRUN npm install -g pm2@5\n",
    ],
)
def test_production_installs_pass(lint, dockerfile):
    assert lint(dockerfile, files=DEV, rule="NG202").findings == []


def test_node_modules_copied_from_an_unpruned_stage(lint):
    dockerfile = (
        "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
        "FROM node:22-alpine\nWORKDIR /app\nCOPY --from=build /app/node_modules ./node_modules\n"
        "COPY --from=build /app/dist ./dist\nCMD [\"node\", \"dist/server.js\"]\n"
    )
    [found] = lint(dockerfile, files=DEV, rule="NG202").findings
    assert found.line == 7 and found.fix is None
    assert "`npm ci` in stage `build` (line 4) installed them" in found.message
    assert "npm prune --omit=dev" in found.message


@pytest.mark.parametrize("source", ["/app", "/app/", "/app/*", "/"])
def test_whole_app_folder_copied_from_an_unpruned_stage(lint, source):
    dockerfile = f"FROM node:22 AS build\nWORKDIR /app\nRUN yarn install --frozen-lockfile\nFROM node:22-alpine\nCOPY --from=build {source} /srv/\n"
    [found] = lint(dockerfile, files=DEV, rule="NG202").findings
    assert found.line == 5 and "yarn workspaces focus --production" in found.message


def test_copy_through_a_chain_of_stages(lint):
    dockerfile = (
        "FROM node:22 AS deps\nWORKDIR /app\nRUN npm ci\n"
        "FROM node:22 AS build\nWORKDIR /build\nCOPY --from=deps /app/node_modules ./node_modules\nRUN npm run build\n"
        "FROM node:22-alpine\nCOPY --from=build /build/node_modules /app/node_modules\n"
    )
    [found] = lint(dockerfile, files=DEV, rule="NG202").findings
    assert found.line == 9 and "stage `deps` (line 3)" in found.message


def test_copy_from_a_pruned_or_production_stage_passes(lint):
    pruned = (
        "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci && npm run build && npm prune --omit=dev\n"
        "FROM node:22-alpine\nCOPY --from=build /app/node_modules /app/node_modules\n"
    )
    production = (
        "FROM node:22 AS deps\nWORKDIR /app\nENV NODE_ENV=production\nRUN npm ci\n"
        "FROM node:22-alpine\nCOPY --from=deps /app /app\n"
    )
    other_folder = (
        "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci && npm run build\n"
        "FROM node:22-alpine\nCOPY --from=build /app/dist /app/dist\n"
    )
    for dockerfile in (pruned, production, other_folder):
        assert lint(dockerfile, files=DEV, rule="NG202").findings == []


def test_a_folder_inside_node_modules_is_not_the_dependency_tree(lint):
    # the generated Prisma client, copied from the build stage next to pruned node_modules
    dockerfile = (
        "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci && npx prisma generate\n"
        "FROM node:22 AS prod-deps\nWORKDIR /app\nRUN npm ci --omit=dev\n"
        "FROM node:22-alpine\nWORKDIR /app\nCOPY --from=prod-deps /app/node_modules ./node_modules\n"
        "COPY --from=build /app/node_modules/.prisma ./node_modules/.prisma\n"
    )
    assert lint(dockerfile, files=DEV, rule="NG202").findings == []
    whole = dockerfile.replace("/app/node_modules/.prisma ./node_modules/.prisma", "/app/node_modules ./node_modules")
    assert [f.line for f in lint(whole, files=DEV, rule="NG202").findings] == [10]


def test_yarn_version_is_not_an_install(lint):
    assert lint("FROM node:22-alpine\nRUN yarn -v && yarn --version\n", files=DEV, rule="NG202").findings == []


def test_pruning_in_the_final_stage_after_the_copy_passes(lint):
    dockerfile = (
        "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci && npm run build\n"
        "FROM node:22-alpine\nWORKDIR /app\nCOPY --from=build /app .\nRUN npm prune --omit=dev\n"
    )
    assert lint(dockerfile, files=DEV, rule="NG202").findings == []


def test_parent_stage_install_is_inherited(lint):
    dockerfile = "FROM node:22-alpine AS base\nRUN npm ci\nFROM base\nCMD [\"node\", \"server.js\"]\n"
    assert [f.line for f in lint(dockerfile, files=DEV, rule="NG202").findings] == [2]


def test_package_without_dev_dependencies_passes(lint):
    files = {"package.json": '{"dependencies": {"express": "4"}}', "package-lock.json": "{}"}
    assert lint("FROM node:22-alpine\nRUN npm ci\n", files=files, rule="NG202").findings == []


def test_without_files_on_disk_the_install_is_still_judged(lint):
    assert len(lint("FROM node:22-alpine\nRUN npm ci\n", rule="NG202").findings) == 1


def test_fix_adds_omit_dev_to_a_final_npm_ci(lint):
    texts, relinted = lint.fix("FROM node:22-alpine\nWORKDIR /app\nRUN npm ci \\\n    --no-audit\n", files=DEV, rule="NG202")
    assert texts["Dockerfile"] == "FROM node:22-alpine\nWORKDIR /app\nRUN npm ci --omit=dev \\\n    --no-audit\n"
    assert relinted.of("NG202") == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\nRUN npm ci && npm run build\n",  # the build needs the devDependencies
        "FROM node:22-alpine\nRUN npm ci\nRUN npx tsc\n",
        "FROM node:22-alpine\nRUN npm install\n",  # not npm ci
        "FROM node:22-alpine\nRUN npm ci --include=dev\n",  # asked for on purpose
        "FROM node:22-alpine\nRUN yarn install --frozen-lockfile\n",
    ],
)
def test_no_fix_when_it_could_break_the_build_or_is_not_npm_ci(lint, dockerfile):
    [found] = lint(dockerfile, files=DEV, rule="NG202").findings
    assert found.fix is None


@pytest.mark.parametrize(
    "process",
    ['CMD ["npm", "run", "dev"]', 'CMD ["yarn", "dev"]', 'CMD ["ng", "serve", "--host", "0.0.0.0"]',
     'CMD ["npx", "nodemon", "server.js"]', 'CMD ["next", "dev"]', 'CMD ["npm", "run", "start:dev"]', "CMD vite --host"],
)
def test_a_development_image_keeps_its_devdependencies(lint, process):
    """The final process is a development server: the image is made to develop in, and needs them."""
    dockerfile = f"FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n{process}\n"
    assert lint(dockerfile, rule="NG202").findings == []
    assert lint(dockerfile, rule="NG301").findings == []


@pytest.mark.parametrize("process", ['CMD ["npm", "start"]', 'CMD ["vite", "preview"]', 'CMD ["next", "start"]'])
def test_a_production_server_is_judged(lint, process):
    dockerfile = f"FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n{process}\n"
    assert [f.rule for f in lint(dockerfile, rule="NG202").findings] == ["NG202"]
