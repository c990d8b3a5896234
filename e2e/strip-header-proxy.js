// A forward HTTP proxy for scripts/checks/check-stack-fails: it passes every request
// through unchanged but drops X-Content-Type-Options from the answers for /avatars/, so
// the stack behind it answers one header short. Prints its port on the first line of
// stdout, and one line per stripped answer on stderr.
import http from "node:http";

const HOP_BY_HOP = ["proxy-connection", "proxy-authorization", "keep-alive", "connection"];

const server = http.createServer((req, res) => {
  let target;
  try {
    target = new URL(req.url);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const headers = { ...req.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  const upstream = http.request(target, { method: req.method, headers }, (answer) => {
    const out = { ...answer.headers };
    for (const name of HOP_BY_HOP) delete out[name];
    if (target.pathname.startsWith("/avatars/") && "x-content-type-options" in out) {
      delete out["x-content-type-options"];
      console.error(`stripped X-Content-Type-Options from ${target.pathname}`);
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
  });
  upstream.on("error", (error) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(error.message));
  });
  req.pipe(upstream);
});

server.listen(0, "127.0.0.1", () => console.log(server.address().port));
