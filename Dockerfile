# Metallic Rouge lore bot.
#   docker build -t metallic-rouge-lore-bot .
#   docker run -d --name lore-bot -e DISCORD_TOKEN=... -v lore-data:/data metallic-rouge-lore-bot
# See docs/deploy.md (volumes, health check, sharding, backups).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the package exactly as the README does (`pip install .`), from a copy of the source kept
# outside the working directory, so `python -m bot` runs the installed package.
WORKDIR /usr/src/lore-bot
COPY pyproject.toml README.md ./
COPY bot/ bot/
RUN pip install --no-cache-dir . \
    && groupadd --system --gid 10001 lorebot \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin lorebot \
    && mkdir -p /data \
    && chown 10001:10001 /data

# The knowledge is baked in, owned by root, so read-only for the bot. Mount a folder over
# /app/knowledge (or point KNOWLEDGE_DIR elsewhere) to serve your own without rebuilding; mount it
# writable by uid 10001 for /lore-admin teach, so taught aliases land on the host and persist.
WORKDIR /app
COPY knowledge/ /app/knowledge/

# DATA_DIR holds the SQLite database (settings, progress, unanswered questions): keep it on a volume.
ENV KNOWLEDGE_DIR=/app/knowledge \
    DATA_DIR=/data \
    HEALTH_FILE=/tmp/lore-bot.health
VOLUME ["/data"]

# An unprivileged user (lorebot, uid/gid 10001): a bind-mounted /data must be writable by it.
USER 10001:10001

# The bot refreshes HEALTH_FILE every 20 s while every shard is connected, and removes it when one
# disconnects or the bot stops; the check fails when it is missing or older than 60 s.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

# SIGTERM (docker stop) closes the gateway and flushes the database, then exits 0.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
