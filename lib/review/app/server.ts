import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { describeError, RecontactError, ReviewError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Comparison } from "../compare-models.ts";
import type { ReviewService } from "../review-service.ts";
import { errorPage, itemHref, itemPage, modelPage, modelsPage, queuePage } from "./pages.ts";

export interface ReviewServer {
  url: string;
  close(): Promise<void>;
}

/** The review JSON API's body (POST /api/items/<id>/review). */
export const ReviewRequestSchema = z.object({
  verdict: z.enum(["accept", "correct"]),
  label: z.string().min(1).max(100).optional(),
  comment: z.string().max(2000).optional(),
});

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `recontact review`: the review app on 127.0.0.1 only. Pages under /, a JSON API under /api
 * (used by the tests and by anything scripted). Only requests addressed to this host and port are
 * served (no DNS rebinding), and a POST from a page of another origin is refused (no cross-site
 * form posts); the API takes JSON only, which a foreign page cannot send without being asked.
 */
export async function startReviewServer(service: ReviewService, options: { port?: number; log: Logger; thresholds: { threshold: number; sampleRate: number } }): Promise<ReviewServer> {
  let origin = "";
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      options.log.log("error", "review request failed", { step: "review", method: request.method, path: request.url?.split("?")[0], error: describeError(error) });
      if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", "internal error");
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const nonce = randomBytes(16).toString("base64");
    const api = (request.url ?? "").startsWith("/api/");
    try {
      const host = request.headers.host ?? "";
      if (`http://${host}` !== origin && `http://${host}` !== origin.replace("127.0.0.1", "localhost")) throw new HttpError(421, "this server answers on 127.0.0.1 only");
      const url = new URL(request.url ?? "/", origin);
      if (request.method === "POST") {
        const from = request.headers.origin;
        if (from !== undefined && from !== origin && from !== `http://${host}`) throw new HttpError(403, "cross-origin request refused");
      }
      const route = `${request.method} ${url.pathname}`;
      let m: RegExpMatchArray | null;
      const html = (body: string) => send(response, 200, "text/html; charset=utf-8", body, nonce);
      const json = (body: unknown, status = 200) => send(response, status, "application/json; charset=utf-8", `${JSON.stringify(body)}\n`);

      if (route === "GET /") return redirect(response, "/queue");
      if (route === "GET /queue") {
        const weeks = await service.weeks();
        const week = url.searchParams.get("week") ?? weeks[0];
        const items = week ? await service.queue(week) : [];
        return html(queuePage({ reviewer: service.reviewer, nonce, weeks, week, items, ...options.thresholds }));
      }
      if ((m = route.match(/^GET \/items\/([^/]+)$/))) {
        const view = await service.item(decodeURIComponent(m[1]!));
        const saved = url.searchParams.get("saved") ?? undefined;
        return html(itemPage({ reviewer: service.reviewer, nonce, view, ...(saved ? { saved } : {}) }));
      }
      if ((m = route.match(/^POST \/items\/([^/]+)$/))) {
        const id = decodeURIComponent(m[1]!);
        const form = new URLSearchParams(await readBody(request));
        const label = form.get("label") ?? "";
        const before = await service.item(id);
        const verdict = label === before.item.predicted.label ? "accept" : "correct";
        const result = await service.review(id, { verdict, label, comment: form.get("comment") ?? "" });
        const next = before.nextPending ?? id;
        const saved = `Saved ${before.item.contactId}: ${result.label.verdict === "accepted" ? `accepted ${result.label.label}` : `corrected to ${result.label.label}`}${result.reports.length ? ` · report ${result.reports.join(", ")} updated` : ""}`;
        return redirect(response, `${itemHref(next)}?saved=${encodeURIComponent(saved)}`);
      }
      if (route === "GET /models") return html(modelsPage({ reviewer: service.reviewer, nonce, view: await service.models() }));
      if ((m = route.match(/^GET \/models\/([^/]+)\/([^/]+)$/))) {
        const { card, comparison } = await service.model(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
        return html(modelPage({ reviewer: service.reviewer, nonce, card, comparison: comparison as Comparison | null }));
      }

      if (route === "GET /api/weeks") return json({ weeks: await service.weeks() });
      if (route === "GET /api/queue") {
        const week = url.searchParams.get("week") ?? (await service.weeks())[0];
        return json({ week: week ?? null, items: week ? await service.queue(week) : [] });
      }
      if ((m = route.match(/^GET \/api\/items\/([^/]+)$/))) return json(await service.item(decodeURIComponent(m[1]!)));
      if ((m = route.match(/^POST \/api\/items\/([^/]+)\/review$/))) {
        if (!(request.headers["content-type"] ?? "").startsWith("application/json")) throw new HttpError(415, "send the review as application/json");
        let body: unknown;
        try {
          body = JSON.parse(await readBody(request));
        } catch {
          throw new HttpError(400, "the body is not JSON");
        }
        const parsed = ReviewRequestSchema.safeParse(body);
        if (!parsed.success) throw new HttpError(400, `invalid review: ${parsed.error.issues[0]!.path.join(".")} ${parsed.error.issues[0]!.message}`);
        const { verdict, label, comment } = parsed.data;
        return json(await service.review(decodeURIComponent(m[1]!), { verdict, ...(label ? { label } : {}), ...(comment ? { comment } : {}) }));
      }
      if (route === "GET /api/models") return json(await service.models());
      if ((m = route.match(/^GET \/api\/models\/([^/]+)\/([^/]+)$/))) return json(await service.model(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)));
      throw new HttpError(404, `nothing at ${request.method} ${url.pathname}`);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : error instanceof ReviewError ? (error.code === "NOT_FOUND" ? 404 : 400) : undefined;
      if (status === undefined) throw error;
      const code = error instanceof RecontactError ? error.code : "HTTP_" + status;
      if (api) return send(response, status, "application/json; charset=utf-8", `${JSON.stringify({ error: { code, message: (error as Error).message } })}\n`);
      return send(response, status, "text/html; charset=utf-8", errorPage({ reviewer: service.reviewer, nonce, status, message: (error as Error).message }), nonce);
    }
  }

  await new Promise<void>((resolve, reject) => server.listen(options.port ?? 0, "127.0.0.1", () => resolve()).once("error", reject));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, status: number, type: string, body: string, nonce?: string): void {
  response.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    // same-origin: a form post carries its Origin (with no-referrer Chromium sends "null", refused below).
    "referrer-policy": "same-origin",
    "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'${nonce ? `; script-src 'nonce-${nonce}'` : ""}`,
  });
  response.end(body);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, "cache-control": "no-store" });
  response.end();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
