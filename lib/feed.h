/*
 * feed.h: provider stream frames to liu events (schema/events.md), for the
 * live sources of liu-stream.  No networking here: the WebSocket client
 * hands over each frame it receives, whole, and writes what comes back.
 *
 * A frame from Alpaca's market-data stream v2 or Polygon's stocks stream
 * is a JSON array of messages (a lone object is taken as an array of one).
 * feed_alpaca_frame() and feed_polygon_frame() translate one frame, message
 * by message, in order:
 *   - a market-data message becomes one event line appended to the
 *     caller's buffer, '\n'-terminated, in canonical form, with "rt";
 *   - a control message (welcome, authentication, subscription, error)
 *     becomes a note the caller acts on;
 *   - a message of a type liu does not translate is counted, and noted
 *     the first time its type is seen, so the caller reports it once;
 *   - a message that cannot be translated (no symbol, a bad time, a
 *     price that is not a number) is noted with the reason and skipped;
 *     the rest of the frame is still translated.
 * A frame that is not JSON, or not an array or object, is an error for the
 * caller to report and skip: nothing is appended and nothing is noted.
 * Nothing in here is fatal and nothing is printed: the policy (exit on bad
 * credentials, back off on a connection limit) is the caller's.
 *
 * The mapping from each provider's messages to events is documented in
 * feed.c and schema/events.md.
 */
#ifndef LIU_FEED_H
#define LIU_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

enum feed_kind {
	FEED_CONNECTED,		/* the server's welcome */
	FEED_AUTH_OK,		/* authenticated */
	FEED_AUTH_FAILED,	/* Alpaca error 402, Polygon "auth_failed" */
	FEED_SUBSCRIBED,	/* a subscription: see 'sub' and 'full' */
	FEED_UNSUBSCRIBED,	/* Polygon: channels removed, in 'sub' */
	FEED_ERROR,		/* Alpaca error ('code'); any other Polygon
				   status ('status': "max_connections", ...) */
	FEED_INFO,		/* a "success" with another text, in 'msg' */
	FEED_UNKNOWN,		/* the first message of a type not translated */
	FEED_BAD		/* a message not translated: 'msg' says why */
};

/* One channel and symbol of a subscription: ("trades", "AAPL"), ("T",
 * "AAPL"); the names are the provider's, sym "*" is every symbol. */
struct feed_sub {
	const char *chan, *sym;
	size_t o_chan, o_sym;	/* private */
};

/*
 * What the caller should know about a message that is not an event.
 * Strings are NUL-terminated, never NULL ("" when absent), and valid until
 * the next call on the same struct feed.  The provider's texts come as
 * they were sent, decoded: sanitise them before printing.
 */
struct feed_note {
	enum feed_kind kind;
	int index;		/* the message's place in the frame, from 0 */
	long code;		/* Alpaca's error code; 0 if none */
	const char *status;	/* Polygon's "status", Alpaca's "T" */
	const char *msg;	/* the provider's text ("msg", "message"), or
				   for FEED_BAD the reason: 'missing "p"' */
	const char *type;	/* FEED_UNKNOWN, FEED_BAD: the message type
				   ("T" or "ev"), "" if it had none */
	/*
	 * FEED_SUBSCRIBED, FEED_UNSUBSCRIBED: the pairs, in the order sent.
	 * 'full' (Alpaca) says they are the whole current subscription, so
	 * a channel not named has nothing; otherwise (Polygon) they are what
	 * was added or removed.
	 */
	const struct feed_sub *sub;
	int nsub, full;

	/* private: offsets into the feed's strings */
	size_t o_status, o_msg, o_type;
	int sub0;
};

/* A message type counted as unknown, with how many were seen. */
#define FEED_TYPE_MAX 32	/* longer names are cut to 31 bytes */
#define FEED_TYPES_MAX 32	/* more types are counted, not noted */
struct feed_type {
	char name[FEED_TYPE_MAX];
	uint64_t n;
};

/*
 * One translator's state, for one connection or many in turn (one
 * thread).  Read the public members; write none.
 */
struct feed {
	/* the notes of the last frame */
	struct feed_note *note;
	int nnote;
	/* totals since FEED_INIT */
	uint64_t nevents;	/* events appended */
	uint64_t nunknown;	/* messages of unknown types */
	uint64_t nbad;		/* messages not translated (FEED_BAD) */
	uint64_t nbadframes;	/* frames refused */
	struct feed_type types[FEED_TYPES_MAX];	/* the unknown types */
	int ntypes;

	/* private */
	struct json j;
	struct buf str;		/* the notes' strings */
	struct buf tmp;		/* decoding */
	struct feed_sub *sub;
	int nsub, subcap, notecap;
	char rt[48];		/* ,"rt":"..." of this frame */
	size_t rtlen;
};
#define FEED_INIT { .j = JSON_INIT, .str = BUF_INIT, .tmp = BUF_INIT }

/*
 * Translate one frame of Alpaca's market-data stream v2 (JSON; the frame
 * may have come as text or binary): 'len' bytes at p, received at 'rt'
 * (ns since the epoch, UTC, the caller's clock), which every event of the
 * frame carries as "rt".  Appends the events to out and sets f->note and
 * f->nnote.  Returns the number of events appended, or -1 with *err set
 * to a constant message ("malformed JSON", "not a JSON array or object",
 * "MessagePack frame") if the frame is refused; out is then unchanged and
 * there are no notes.  Dies only when out of memory.
 *
 * The caller's policy, from the providers' SDKs (protocols.md section 6):
 * FEED_AUTH_FAILED and Alpaca errors 409, 410 and 411 are fatal; 406 (a
 * connection limit) calls for a back-off and a retry; 405 (symbol limit)
 * leaves the subscription the next FEED_SUBSCRIBED shows; 407 (slow
 * client) comes just before the server closes.
 */
int feed_alpaca_frame(struct feed *f, const void *p, size_t len,
    int64_t rt, struct buf *out, const char **err);

/*
 * The same for a frame of Polygon's stocks stream.  Polygon's "status"
 * messages become notes: "connected" FEED_CONNECTED, "auth_success"
 * FEED_AUTH_OK, "auth_failed" FEED_AUTH_FAILED (fatal), "success" with
 * "subscribed to: T.AAPL" FEED_SUBSCRIBED (or with "unsubscribed to: ..."
 * FEED_UNSUBSCRIBED), every other status ("auth_timeout",
 * "max_connections", "slow_consumer", "error", ...) FEED_ERROR.
 */
int feed_polygon_frame(struct feed *f, const void *p, size_t len,
    int64_t rt, struct buf *out, const char **err);

/* A name for a note's kind: "connected", "auth failed", ... */
const char *feed_kind_name(enum feed_kind k);

/* Free the translator's storage; it is then as FEED_INIT left it. */
void feed_release(struct feed *f);

#endif
