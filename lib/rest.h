/*
 * rest.h: HTTP for the providers' REST APIs, over libcurl.
 *
 * What it promises:
 *   - TLS is always verified, peer and host name; --cacert names a CA file
 *     to trust instead of the system's, never a way to turn checks off.
 *   - Plain http:// is refused unless the host is a loopback address
 *     (127.0.0.0/8, ::1, localhost), before any connection is tried; so is
 *     a URL with a user name or password in it.  Redirects are not followed
 *     (they could carry the key headers elsewhere).
 *   - Header values (the API keys) go to the server only: they are never
 *     written to stderr, and a URL shown in a message has the value of any
 *     apiKey parameter masked.
 *   - A 429 (rate limit) or a 500, 502, 503 or 504 is retried a bounded
 *     number of times, after the wait the server asks for (Retry-After,
 *     else X-Ratelimit-Reset, else 1 s doubling), each wait capped by the
 *     caller, and cut short by SIGTERM or SIGINT (liu_stop).
 *   - A response body larger than the cap is an error, not an allocation
 *     the server chooses.
 *
 * One struct rest is one connection (kept alive between requests) to one
 * base URL.  It is not thread-safe.  libcurl is initialised on the first
 * rest_open() and cleaned up by the last rest_close().
 */
#ifndef LIU_REST_H
#define LIU_REST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct rest_opts {
	const char *cacert;	/* CA file to trust instead of the system's */
	int retries;		/* retries of a 429 or 5xx, each request */
	int64_t max_wait;	/* cap on one wait before a retry, ns */
	int64_t connect_timeout;	/* ns */
	int64_t stall_timeout;	/* give up when nothing came for this, ns */
	size_t body_max;	/* a larger response body is an error */
	int verbose;		/* say each retry on stderr */
	int64_t timeout;	/* a whole request, ns; 0: none */
};
#define REST_OPTS_INIT { NULL, 10, 60 * 1000000000LL, \
	10 * 1000000000LL, 60 * 1000000000LL, 256u << 20, 0, 0 }

struct curl_slist;

struct rest {
	void *curl;		/* the easy handle, owned */
	struct curl_slist *hdrs;	/* owned */
	char *base;		/* scheme://host[:port][/prefix], no '/' last */
	int plain;		/* http:// (to loopback) */
	struct rest_opts o;
	uint64_t nreq;		/* requests sent, retries included */
	uint64_t nretry;	/* of them, retries */
	long status;		/* of the last response; 0 before one */
	int64_t reset;		/* its X-Ratelimit-Reset, epoch s; 0: none */
	int64_t limit;		/* the last X-Ratelimit-Limit seen; 0: none */
	int64_t remaining;	/* its X-Ratelimit-Remaining; -1: none */
	int toobig;		/* its body went over body_max */
	struct buf url;		/* the last request's URL, as sent */
	struct buf shown;	/* private: rest_shown_url()'s */
	struct buf *body;	/* private: the body being read */
	char err[256];		/* the last transport error */
};
#define REST_INIT { NULL, NULL, NULL, 0, REST_OPTS_INIT, 0, 0, 0, 0, 0, -1, 0, \
	BUF_INIT, BUF_INIT, NULL, "" }

/*
 * Check a base URL against the rules above.  Returns 0, or -1 with *why set
 * to a constant message ("plain http:// only to a loopback host", ...).
 * Connects to nothing and resolves no name.
 */
int rest_url_check(const char *url, const char **why);

/*
 * Open a connection handle to 'base' (checked by rest_url_check()) with
 * the options 'o' (copied; the strings in it must outlive r).  Returns 0,
 * or -1 with *why set as rest_url_check() does; r then owns nothing.  Dies
 * if libcurl cannot be set up.
 */
int rest_open(struct rest *r, const char *base, const struct rest_opts *o,
    const char **why);

/*
 * Send the header "NAME: VALUE" with every request.  Both are copied; a
 * value holding a control byte is refused (-1), since it would end the
 * header early.  Returns 0.
 */
int rest_header(struct rest *r, const char *name, const char *value);

/*
 * GET base + 'target' (a path starting with '/', with its query), the body
 * into 'body' (reset first; the caller owns it).  429 and 5xx are retried
 * as said above.  Returns the HTTP status of the last response (also in
 * r->status), or -1 when no response came (a connection, TLS or timeout
 * error, a body over the cap, or liu_stop), with r->err saying why.
 */
long rest_get(struct rest *r, const char *target, struct buf *body);

/*
 * The same with any method ("GET", "POST", "DELETE", "PATCH") and, for
 * other than GET, a JSON body 'json' (NULL: none; the caller sets the
 * Content-Type header with rest_header()).  Retries as rest_get() does,
 * with one exception that keeps a POST exactly once: a POST is retried
 * after a 429 only (the server refused it unseen), never after a 5xx or a
 * timeout, which may come after the server acted; the caller finds out
 * what happened (Alpaca: the order looked up by its client id) before it
 * sends again.  The whole request is bounded by o.timeout when set.
 */
long rest_send(struct rest *r, const char *method, const char *target,
    const char *json, struct buf *body);

/*
 * The URL of the last request as it may be shown: r->url with the value of
 * any apiKey parameter replaced by "***".  Valid until the next request.
 */
const char *rest_shown_url(struct rest *r);

/*
 * A WebSocket URL for lib/live.c, checked by the same rules with ws:// and
 * wss:// for http:// and https://: plain ws:// only to a loopback host, no
 * user name or password, no fragment.  Fills the parts, NUL-terminated in
 * strings the caller frees with free(3); the port defaults to 443 (wss) or
 * 80 (ws); path is "/" when empty, with the query after it.  Returns 0, or
 * -1 with *why set to a constant message.
 */
struct rest_ws_url {
	char *host, *path;
	int port, plain;
};
int rest_ws_url(const char *url, struct rest_ws_url *u, const char **why);

/*
 * The market-data provider the environment names, for the programs that
 * take one without being told: LIU_DATA_PROVIDER ("alpaca" or "polygon"),
 * or when it is unset Alpaca if APCA_API_KEY_ID and APCA_API_SECRET_KEY
 * are both set, else Polygon if POLYGON_API_KEY is.  Returns 0 with *name
 * set to "alpaca" or "polygon" (constant strings), or -1 with *why set to
 * a constant message that says which variables to set.
 */
int rest_env_provider(const char **name, const char **why);

/* Free everything r holds; r is then as after REST_INIT. */
void rest_close(struct rest *r);

/*
 * Append s to b percent-encoded for a path segment or a query value:
 * every byte but the unreserved ones of RFC 3986 (ALPHA DIGIT - . _ ~)
 * as %XX.
 */
void rest_add_escaped(struct buf *b, const char *s);

/*
 * Turn an absolute URL into what rest_get() takes: its path and query,
 * appended to 'target', with any apiKey parameter left out (a key never
 * goes in a URL).  Used to follow a "next_url" on the server we were given.
 * Returns 0, or -1 if 'url' does not parse.
 */
int rest_target_of(const char *url, struct buf *target);

#endif
