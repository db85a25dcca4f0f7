# portfoliobot: slim Python, non-root, `portfoliobot serve` on 0.0.0.0:3978, data in a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORTFOLIOBOT_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3978

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY knowledge ./knowledge
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app portfoliobot \
    && mkdir -p /data && chown portfoliobot /data

USER portfoliobot
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=2).status == 200 else 1)"

# With no PORTFOLIO_DATABASE_URL the demo portfolio is created in /data on first start.
CMD ["sh", "-c", "[ -n \"$PORTFOLIO_DATABASE_URL\" ] || [ -f /data/portfolio.db ] || portfoliobot demo-db; exec portfoliobot serve"]
