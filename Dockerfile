# The nodeguard GitHub Action. The base image is pinned by tag and digest: refresh the digest when the
# tag moves (docker buildx imagetools inspect python:3.11.10-slim-bookworm). No "# syntax=" line: the
# builder's own frontend reads this file (it uses no newer syntax), so no frontend image is pulled.

FROM python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16 AS build
# Wheels only, every one checked against the lock's hashes: nothing is compiled.
COPY requirements/action.txt /tmp/action.txt
RUN python -m venv /opt/nodeguard \
    && /opt/nodeguard/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes \
       --no-deps --only-binary=:all: -r /tmp/action.txt \
    && /opt/nodeguard/bin/pip uninstall --yes --disable-pip-version-check pip setuptools

# nodeguard stage ignore=NG401 -- GitHub runs Docker actions as the image's default user, and writing to GITHUB_WORKSPACE and the runner's files needs root
FROM python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /opt/nodeguard /opt/nodeguard
COPY nodeguard /opt/nodeguard/lib/python3.11/site-packages/nodeguard
COPY entrypoint.py /app/entrypoint.py
ENTRYPOINT ["/opt/nodeguard/bin/python", "-P", "/app/entrypoint.py"]
