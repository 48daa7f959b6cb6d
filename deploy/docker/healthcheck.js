// Docker healthcheck for a service: exits 0 when GET /health/ready answers 2xx (its database and
// the Kafka broker answer). Node's own fetch, because the slim image has no curl.
const port = process.argv[2] || process.env.HTTP_PORT;
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
