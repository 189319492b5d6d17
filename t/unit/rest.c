/*
 * Unit tests of lib/rest.c that need no server: which base URLs are
 * allowed (https anywhere, plain http only to loopback, never credentials
 * in a URL), percent-encoding, following a next_url without its apiKey,
 * and the masking of shown URLs.  The requests themselves are tested
 * against the loopback fake in t/t1200-stream-history.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "buf.h"
#include "rest.h"
#include "banned.h"

static int
allowed(const char *url)
{
	const char *why = NULL;

	return rest_url_check(url, &why) == 0;
}

static const char *
escaped(const char *s)
{
	static struct buf b;

	buf_reset(&b);
	rest_add_escaped(&b, s);
	return buf_cstr(&b);
}

static const char *
target_of(const char *url)
{
	static struct buf b;

	buf_reset(&b);
	if (rest_target_of(url, &b) < 0)
		return NULL;
	return buf_cstr(&b);
}

static const char *
shown(const char *url)
{
	static struct rest r = REST_INIT;

	buf_reset(&r.url);
	buf_adds(&r.url, url);
	return rest_shown_url(&r);
}

int
main(void)
{
	static const char *const good[] = {
		"https://data.alpaca.markets",
		"https://api.polygon.io/",
		"https://example.com:8443/prefix",
		"http://127.0.0.1:8080",
		"http://127.255.0.9",
		"http://localhost:1234",
		"http://LocalHost",
		"http://[::1]:99",
		"http://[0:0:0:0:0:0:0:1]",
		"http://127.1",		/* curl reads it as 127.0.0.1 */
		NULL
	};
	static const char *const bad[] = {
		"http://data.alpaca.markets",
		"http://192.0.2.1",
		"http://128.0.0.1",
		"http://126.255.255.255",
		"http://localhost.example.com",
		"http://127.0.0.1.nip.io",
		"http://[::2]",
		"http://[::ffff:8.8.8.8]",
		"ftp://127.0.0.1",
		"file:///etc/passwd",
		"https://user:secret@example.com",
		"https://key@example.com",
		"https://example.com/?apiKey=x",
		"https://example.com/#frag",
		"example.com",
		"",
		NULL
	};
	const char *const *p;
	const char *why = NULL;

	for (p = good; *p; p++)
		ok(allowed(*p), "allowed: %s", *p);
	for (p = bad; *p; p++)
		ok(!allowed(*p), "refused: %s", *p);
	ok(rest_url_check("http://10.0.0.1", &why) < 0 && why &&
	    strstr(why, "loopback"), "the reason names loopback");

	is_str(escaped("AAPL"), "AAPL", "a plain symbol as it is");
	is_str(escaped("BRK.B"), "BRK.B", "a dot kept");
	is_str(escaped("BRK/B"), "BRK%2FB", "a slash escaped");
	is_str(escaped("2022-02-01T00:00:00Z"), "2022-02-01T00%3A00%3A00Z",
	    "a time's colons escaped");
	is_str(escaped("QUFQTHxE+/=="), "QUFQTHxE%2B%2F%3D%3D",
	    "a page token's base64 escaped");
	is_str(escaped("\xc3\xa9 ~_-"), "%C3%A9%20~_-", "UTF-8 and blanks");

	is_str(target_of("https://api.polygon.io/v2/aggs/ticker/AAPL/range/1/"
	    "day/1578114000000/2020-01-10?cursor=bGltaXQ9MiZzb3J0PWFzYw"),
	    "/v2/aggs/ticker/AAPL/range/1/day/1578114000000/2020-01-10"
	    "?cursor=bGltaXQ9MiZzb3J0PWFzYw", "next_url: path and query");
	is_str(target_of("https://x.example/v3/trades/AAPL?cursor=abc&apiKey="
	    "SECRET&limit=2"), "/v3/trades/AAPL?cursor=abc&limit=2",
	    "next_url: its apiKey left out");
	is_str(target_of("https://x.example/a?APIKEY=S"), "/a",
	    "next_url: apiKey in any case, the only parameter");
	is_str(target_of("https://x.example/a"), "/a", "next_url: no query");
	ok(target_of("::not a url") == NULL, "next_url: not a URL");

	is_str(shown("https://h/v2/x?a=1&apikey=SECRET&b=2"),
	    "https://h/v2/x?a=1&apikey=***&b=2", "shown: apiKey masked");
	is_str(shown("https://h/v2/x"), "https://h/v2/x", "shown: no query");
	return done_testing();
}
