# The student app as a container image: the same app as `make app`, for a school's or a
# municipality's IT department (Docker, Kubernetes: deploy/kubernetes/, README "Beyond one
# machine"). Built from pyproject.toml and constraints.txt (every package pinned) on a slim
# Python; runs as a user without privileges; serves on 0.0.0.0:8866.
#
#   docker build -t awareness .
#   docker run -p 8866:8866 -e AWARENESS_ALLOWED_HOSTS=course.example.no awareness
#
# Sizes and caps come from environment variables (README "Security and limits" and
# "Beyond one machine"): AWARENESS_POOL (ready kernels per lesson page; -1: voila.json's
# pools), AWARENESS_CLASS_POOL (the class lesson's pool; -1: voila.json's 32),
# AWARENESS_MAX_KERNELS (0: from the container's memory), AWARENESS_MAX_PER_CLIENT,
# AWARENESS_TRUSTED_PROXY, AWARENESS_ALLOWED_HOSTS, AWARENESS_DRAIN_TIMEOUT (seconds a
# stopping container waits for its pupils: give `docker stop -t` more).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The packages first (this layer changes only with pyproject.toml or constraints.txt).
COPY pyproject.toml constraints.txt README.md ./
COPY awareness ./awareness
RUN pip install --no-cache-dir -c constraints.txt ".[replicas]" \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app

# The course content, checked at build time as `make app` checks it.
COPY course.yaml voila.json ./
COPY lessons ./lessons
COPY quizzes ./quizzes
COPY facilitator_notes ./facilitator_notes
# The pages for schools, served at /docs/<lang>/<name> (the start page's footer).
COPY docs ./docs
RUN python -m awareness check

# Writable places for the kernels' connection files and IPython: /tmp only, so the
# container can run with a read-only root filesystem (Kubernetes mounts /tmp).
ENV AWARENESS_ROOT=/app \
    HOME=/tmp \
    JUPYTER_RUNTIME_DIR=/tmp/jupyter-runtime \
    IPYTHONDIR=/tmp/ipython \
    AWARENESS_HOST=0.0.0.0 \
    AWARENESS_PORT=8866 \
    AWARENESS_POOL=-1 \
    AWARENESS_CLASS_POOL=-1 \
    AWARENESS_MAX_KERNELS=0 \
    AWARENESS_DRAIN_TIMEOUT=900

USER 10001:10001
EXPOSE 8866

# Ready for pupils (/healthz): 503 while the pools warm up or at the total cap. This is a
# readiness check (what Compose's service_healthy and load balancers read); under an
# orchestrator that restarts unhealthy containers (Swarm), use `awareness health --live`.
HEALTHCHECK --interval=10s --timeout=5s --start-period=180s --retries=3 \
    CMD ["awareness", "health"]

# SIGTERM (docker stop): no new pupils; those with open pages may finish.
CMD ["awareness", "serve"]
