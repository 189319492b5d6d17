/*
 * rest.c: HTTP GET over libcurl, with liu's rules for the network (see
 * rest.h): TLS verified, plain http only to loopback, no redirects, keys
 * in headers only, bounded retries of 429 and 5xx, a capped body.
 *
 * URLs are parsed by libcurl's own URL parser (curl_url()), so the host
 * checked for loopback is the host libcurl would connect to: "127.1" and
 * "0x7f.1" are normalised by it to 127.0.0.1 before the check sees them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "rest.h"
#include "util.h"
#include "banned.h"

static int curl_users;		/* open handles: libcurl's global state */

/* Whether a host as curl_url() gives it is a loopback address. */
static int
loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char tmp[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && n < sizeof(tmp) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		if (inet_pton(AF_INET6, tmp, &a6) == 1)
			return IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

/* A part of a parsed URL, or NULL if it has none. */
static char *
url_part(CURLU *u, CURLUPart what)
{
	char *s = NULL;

	if (curl_url_get(u, what, &s, 0) != CURLUE_OK)
		return NULL;
	return s;
}

int
rest_ws_url(const char *url, struct rest_ws_url *w, const char **why)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	char *path = NULL, *query = NULL, *frag = NULL, *port = NULL;
	int rc = -1;

	memset(w, 0, sizeof(*w));
	if (!(u = curl_url()))
		die("out of memory");
	*why = "not a URL (want wss://HOST[:PORT]/PATH)";
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK)
		goto out;
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	user = url_part(u, CURLUPART_USER);
	pass = url_part(u, CURLUPART_PASSWORD);
	path = url_part(u, CURLUPART_PATH);
	query = url_part(u, CURLUPART_QUERY);
	frag = url_part(u, CURLUPART_FRAGMENT);
	port = url_part(u, CURLUPART_PORT);
	if (!scheme || !host)
		goto out;
	if (strcmp(scheme, "wss") != 0 && strcmp(scheme, "ws") != 0) {
		*why = "not a ws(s) URL";
		goto out;
	}
	w->plain = strcmp(scheme, "ws") == 0;
	if (w->plain && !loopback(host)) {
		*why = "plain ws:// is refused but to a loopback host "
		    "(127.0.0.0/8, ::1, localhost); use wss://";
		goto out;
	}
	if (user || pass) {
		*why = "no user name or password in a URL: keys come from "
		    "the environment";
		goto out;
	}
	if (frag) {
		*why = "a WebSocket URL has no fragment";
		goto out;
	}
	w->port = port ? (int)strtol(port, NULL, 10) : w->plain ? 80 : 443;
	w->host = xstrndup(host, strlen(host));
	if (host[0] == '[') {	/* lws wants an IPv6 address bare */
		free(w->host);
		w->host = xstrndup(host + 1, strlen(host) - 2);
	}
	{
		struct buf b = BUF_INIT;

		buf_adds(&b, path && *path ? path : "/");
		if (query) {
			buf_addc(&b, '?');
			buf_adds(&b, query);
		}
		w->path = xstrndup(b.p, b.len);
		buf_release(&b);
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(path);
	curl_free(query);
	curl_free(frag);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/*
 * Parse and check a base URL; with 'norm', return it normalised, without a
 * trailing '/', in a string of ours.
 */
static int
check_url(const char *url, const char **why, char **norm, int *plain)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	char *query = NULL, *frag = NULL, *full = NULL;
	size_t n;
	int rc = -1;

	if (!(u = curl_url()))
		die("out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		*why = "not a URL (want https://HOST[:PORT])";
		goto out;
	}
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	user = url_part(u, CURLUPART_USER);
	pass = url_part(u, CURLUPART_PASSWORD);
	query = url_part(u, CURLUPART_QUERY);
	frag = url_part(u, CURLUPART_FRAGMENT);
	if (!scheme || !host) {
		*why = "not a URL (want https://HOST[:PORT])";
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		*why = "not an http(s) URL";
		goto out;
	}
	if (strcmp(scheme, "http") == 0 && !loopback(host)) {
		*why = "plain http:// is refused but to a loopback host "
		    "(127.0.0.0/8, ::1, localhost); use https://";
		goto out;
	}
	if (user || pass) {
		*why = "no user name or password in a URL: keys come from "
		    "the environment";
		goto out;
	}
	if (query || frag) {
		*why = "a base URL has no query or fragment";
		goto out;
	}
	if (plain)
		*plain = strcmp(scheme, "http") == 0;
	if (norm) {
		if (!(full = url_part(u, CURLUPART_URL)))
			die("out of memory");
		n = strlen(full);
		while (n > 0 && full[n - 1] == '/')
			n--;
		*norm = xstrndup(full, n);
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(frag);
	curl_free(full);
	curl_url_cleanup(u);
	return rc;
}

int
rest_url_check(const char *url, const char **why)
{
	return check_url(url, why, NULL, NULL);
}

/* libcurl's write callback: the body into r->body, up to the cap. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct rest *r = arg;

	curl_off_t cl;

	n *= size;
	if (n > r->o.body_max - r->body->len) {
		r->toobig = 1;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	/* a large body announced: its room at once, not by doublings */
	if (r->body->len == 0 && curl_easy_getinfo(r->curl,
	    CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl > 0 &&
	    (uint64_t)cl <= r->o.body_max && (size_t)cl > r->body->cap)
		buf_grow(r->body, (size_t)cl);
	buf_add(r->body, p, n);
	return n;
}

/*
 * libcurl's header callback: X-Ratelimit-Reset, the epoch second,
 * X-Ratelimit-Limit, requests a minute, and X-Ratelimit-Remaining.
 */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char *const names[] = { "x-ratelimit-reset:",
		"x-ratelimit-limit:", "x-ratelimit-remaining:" };
	struct rest *r = arg;
	int64_t *const to[] = { &r->reset, &r->limit, &r->remaining };
	size_t len = size * n, k = 0, i, j;
	int64_t v = 0;
	int digits = 0;

	for (j = 0; j < 3; j++) {
		k = strlen(names[j]);
		if (len > k && strncasecmp(p, names[j], k) == 0)
			break;
	}
	if (j == 3)
		return len;
	for (i = k; i < len && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
		if (v > (INT64_MAX - 9) / 10)
			return len;	/* absurd: ignored */
		v = v * 10 + (p[i] - '0');
	}
	if (digits)
		*to[j] = v;
	return len;
}

/* libcurl's progress callback: a SIGTERM or SIGINT aborts the transfer. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	(void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return liu_stop != 0;
}

#define SET(r, opt, val) do { \
	if (curl_easy_setopt((r)->curl, opt, val) != CURLE_OK) \
		die("libcurl: cannot set %s", #opt); \
} while (0)

int
rest_open(struct rest *r, const char *base, const struct rest_opts *o,
    const char **why)
{
	static const struct rest init = REST_INIT;
	char *norm;
	int plain;

	if (check_url(base, why, &norm, &plain) < 0)
		return -1;
	*r = init;
	r->o = *o;
	r->base = norm;
	r->plain = plain;
	if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die("cannot initialise libcurl");
	if (!(r->curl = curl_easy_init()))
		die("cannot initialise libcurl");
	SET(r, CURLOPT_ERRORBUFFER, r->err);
	SET(r, CURLOPT_HTTPGET, 1L);
	SET(r, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(r, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SET(r, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(r, CURLOPT_SSL_VERIFYPEER, 1L);
	SET(r, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cacert) {
		/* this CA alone: no system directory beside it */
		SET(r, CURLOPT_CAINFO, o->cacert);
		SET(r, CURLOPT_CAPATH, (char *)NULL);
	}
	if (plain)	/* loopback: straight there, never through a proxy */
		SET(r, CURLOPT_PROXY, "");
	SET(r, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o->connect_timeout / 1000000));
	SET(r, CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(r, CURLOPT_LOW_SPEED_TIME,
	    (long)(o->stall_timeout / 1000000000 > 0 ?
	    o->stall_timeout / 1000000000 : 1));
	SET(r, CURLOPT_TCP_KEEPALIVE, 1L);
	/* large bodies (a market's snapshot) in fewer, larger reads */
	SET(r, CURLOPT_BUFFERSIZE, 256L * 1024);
	SET(r, CURLOPT_ACCEPT_ENCODING, "");
	SET(r, CURLOPT_USERAGENT, "liu/" LIU_VERSION);
	SET(r, CURLOPT_WRITEFUNCTION, on_body);
	SET(r, CURLOPT_WRITEDATA, r);
	SET(r, CURLOPT_HEADERFUNCTION, on_header);
	SET(r, CURLOPT_HEADERDATA, r);
	SET(r, CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(r, CURLOPT_XFERINFODATA, r);
	SET(r, CURLOPT_NOPROGRESS, 0L);
	rest_header(r, "Accept", "application/json");
	return 0;
}

int
rest_header(struct rest *r, const char *name, const char *value)
{
	struct buf h = BUF_INIT;
	struct curl_slist *l;
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	buf_adds(&h, name);
	buf_add(&h, ": ", 2);
	buf_adds(&h, value);
	if (!(l = curl_slist_append(r->hdrs, buf_cstr(&h))))
		die("out of memory");
	/* the copy in the list is what is sent: wipe ours */
	memset(h.p, 0, h.len);
	buf_release(&h);
	r->hdrs = l;
	SET(r, CURLOPT_HTTPHEADER, r->hdrs);
	return 0;
}

static int
retryable(long status)
{
	return status == 429 || status == 500 || status == 502 ||
	    status == 503 || status == 504;
}

/* How long to wait before retry number 'attempt' + 1, in ns. */
static int64_t
retry_wait(struct rest *r, int attempt)
{
	const int64_t ns = 1000000000;
	curl_off_t after = 0;
	int64_t w;

	if (curl_easy_getinfo(r->curl, CURLINFO_RETRY_AFTER, &after) ==
	    CURLE_OK && after > 0)
		w = after > INT64_MAX / ns ? INT64_MAX : (int64_t)after * ns;
	else if (r->reset > 0)
		w = r->reset > INT64_MAX / ns ? INT64_MAX :
		    r->reset * ns - liu_now_ns();
	else
		w = ns << (attempt < 6 ? attempt : 6);
	if (w < 0)
		w = 0;
	return w < r->o.max_wait ? w : r->o.max_wait;
}

/* Sleep 'ns' on the monotonic clock, or until liu_stop. */
static void
nap(int64_t ns)
{
	int64_t end = liu_mono_ns() + ns, now;
	struct timespec ts;

	while (!liu_stop && (now = liu_mono_ns()) < end) {
		ts.tv_sec = (time_t)((end - now) / 1000000000);
		ts.tv_nsec = (long)((end - now) % 1000000000);
		nanosleep(&ts, NULL);
	}
}

/* Whether a request may be sent again after status (or -1, no answer). */
static int
retryable_for(const char *method, long status)
{
	if (status == 429)
		return 1;	/* refused before it was looked at */
	/* a POST may have been done before a 5xx: the caller finds out */
	return strcmp(method, "POST") != 0 && retryable(status);
}

long
rest_send(struct rest *r, const char *method, const char *target,
    const char *json, struct buf *body)
{
	CURLcode rc;
	long status = 0;
	int attempt;
	int64_t w;

	buf_reset(&r->url);
	buf_adds(&r->url, r->base);
	buf_adds(&r->url, target);
	SET(r, CURLOPT_URL, buf_cstr(&r->url));
	if (strcmp(method, "GET") == 0) {
		SET(r, CURLOPT_HTTPGET, 1L);
		SET(r, CURLOPT_CUSTOMREQUEST, (char *)NULL);
	} else if (json) {
		SET(r, CURLOPT_POSTFIELDS, json);
		SET(r, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
		SET(r, CURLOPT_CUSTOMREQUEST,
		    strcmp(method, "POST") == 0 ? (char *)NULL : method);
	} else {
		SET(r, CURLOPT_HTTPGET, 1L);
		SET(r, CURLOPT_CUSTOMREQUEST, method);
	}
	SET(r, CURLOPT_TIMEOUT_MS, (long)(r->o.timeout / 1000000));
	r->body = body;
	for (attempt = 0;; attempt++) {
		buf_reset(body);
		r->status = 0;
		r->reset = 0;
		r->remaining = -1;
		r->toobig = 0;
		r->err[0] = '\0';
		if (liu_stop) {
			snprintf(r->err, sizeof(r->err), "interrupted");
			return -1;
		}
		r->nreq++;
		if ((rc = curl_easy_perform(r->curl)) != CURLE_OK) {
			if (r->toobig)
				snprintf(r->err, sizeof(r->err), "response "
				    "body over %zu bytes", r->o.body_max);
			else if (rc == CURLE_ABORTED_BY_CALLBACK)
				snprintf(r->err, sizeof(r->err),
				    "interrupted");
			else if (!r->err[0])
				snprintf(r->err, sizeof(r->err), "%s",
				    curl_easy_strerror(rc));
			return -1;
		}
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
		r->status = status;
		if (!retryable_for(method, status) ||
		    attempt >= r->o.retries)
			return status;
		w = retry_wait(r, attempt);
		if (r->o.verbose)
			warn("HTTP %ld from %s %s: retry %d of %d in %.3f s",
			    status, method, rest_shown_url(r), attempt + 1,
			    r->o.retries, (double)w / 1e9);
		r->nretry++;
		nap(w);
	}
}

long
rest_get(struct rest *r, const char *target, struct buf *body)
{
	return rest_send(r, "GET", target, NULL, body);
}

/*
 * Append the query q (without its '?') to b, each parameter named apiKey
 * (in any case) left out, or with 'mask', given the value "***".
 */
static void
add_query(struct buf *b, const char *q, int mask)
{
	const char *e, *eq;
	int first = 1, key;
	size_t n;

	for (; *q; q = *e ? e + 1 : e) {
		e = strchr(q, '&');
		if (!e)
			e = q + strlen(q);
		if (e == q)
			continue;
		eq = memchr(q, '=', (size_t)(e - q));
		n = eq ? (size_t)(eq - q) : (size_t)(e - q);
		key = n == 6 && strncasecmp(q, "apikey", 6) == 0;
		if (key && !mask)
			continue;
		buf_addc(b, first ? '?' : '&');
		first = 0;
		if (key) {
			buf_add(b, q, n);
			buf_adds(b, "=***");
		} else
			buf_add(b, q, (size_t)(e - q));
	}
}

const char *
rest_shown_url(struct rest *r)
{
	const char *q = strchr(buf_cstr(&r->url), '?');

	buf_reset(&r->shown);
	if (!q)
		return buf_cstr(&r->url);
	buf_add(&r->shown, r->url.p, (size_t)(q - r->url.p));
	add_query(&r->shown, q + 1, 1);
	return buf_cstr(&r->shown);
}

int
rest_target_of(const char *url, struct buf *target)
{
	CURLU *u;
	char *path = NULL, *query = NULL;
	int rc = -1;

	if (!(u = curl_url()))
		die("out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    (path = url_part(u, CURLUPART_PATH))) {
		buf_adds(target, path);
		if ((query = url_part(u, CURLUPART_QUERY)))
			add_query(target, query, 0);
		rc = 0;
	}
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

void
rest_add_escaped(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; (c = (unsigned char)*s); s++) {
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf_addc(b, c);
			continue;
		}
		buf_addc(b, '%');
		buf_addc(b, hex[c >> 4]);
		buf_addc(b, hex[c & 15]);
	}
}

int
rest_env_provider(const char **name, const char **why)
{
	const char *v = liu_env("LIU_DATA_PROVIDER");

	if (v) {
		if (strcmp(v, "alpaca") == 0 || strcmp(v, "polygon") == 0) {
			*name = strcmp(v, "alpaca") == 0 ? "alpaca" :
			    "polygon";
			return 0;
		}
		*why = "LIU_DATA_PROVIDER is neither alpaca nor polygon";
		return -1;
	}
	if (liu_env("APCA_API_KEY_ID") && liu_env("APCA_API_SECRET_KEY")) {
		*name = "alpaca";
		return 0;
	}
	if (liu_env("POLYGON_API_KEY")) {
		*name = "polygon";
		return 0;
	}
	*why = "no data provider: set APCA_API_KEY_ID and APCA_API_SECRET_KEY "
	    "(Alpaca) or POLYGON_API_KEY (Polygon), and LIU_DATA_PROVIDER to "
	    "choose when both are set";
	return -1;
}

void
rest_close(struct rest *r)
{
	static const struct rest init = REST_INIT;

	if (r->curl) {
		curl_easy_cleanup(r->curl);
		if (--curl_users == 0)
			curl_global_cleanup();
	}
	curl_slist_free_all(r->hdrs);
	free(r->base);
	buf_release(&r->url);
	buf_release(&r->shown);
	*r = init;
}
