/*
 * nexmark_gen.h: the Nexmark event generator (persons, auctions, bids), as in the published
 * benchmark (Beam's NexmarkUtils/Generator, ported to Flink in nexmark/nexmark), rewritten for
 * eddy: every field of an event is a pure function of (seed, event id), so a source can
 * generate only the fields a query reads, skip events a pushed filter rejects, and still give
 * the same values as a full run.
 *
 * Event numbering (as the published generator):
 *   - Events are numbered n = 0, 1, 2, ...; with an out-of-order group size g > 1 the event
 *     emitted n-th has id (n / g) * g + (n * 953) % g (ids shuffled within each group), else
 *     id = n.
 *   - The kind follows id mod (person + auction + bid proportions), default 1:3:46 out of 50:
 *     remainder 0 is a person, 1..3 auctions, 4..49 bids.
 *   - Person ids and auction ids count the persons and auctions before the event
 *     (lastBase0PersonId / lastBase0AuctionId) plus 1000. Bids and auctions refer to recent
 *     persons and auctions: a hot one (the first of the last batch of 100) with probability
 *     1 - 1/ratio (hot auction ratio 2, hot bidder ratio 4, hot seller ratio 4), else a random
 *     one among the last 1000 active persons / 100 in-flight auctions, up to 10 ids ahead.
 *   - Event time: base time + the delay of all earlier events at the configured rate:
 *     ts(id) = base + id * 1000 / rate ms (events/s). When 'first-event.rate' differs from
 *     'next-event.rate' the rate is a square wave: half of each period ('rate.period', 600 s by
 *     default) at the first rate, half at the next.
 *
 * Field contents (as the published generator; the random numbers differ, being eddy's own
 * splitmix streams per (seed, event id, field)):
 *   person  name = first + " " + last name from fixed lists; emailAddress = 3..6 letters
 *           "@" 3..4 letters ".com"; creditCard = four groups of 4 digits; city and state from
 *           fixed US lists; extra = letters padding the person to ~200 bytes on average.
 *   auction itemName 3..19 and description 3..99 random letters (with spaces, trimmed),
 *           initialBid = round(10^(6u) * 100) cents, reserve = initialBid + another price,
 *           expires = dateTime + 1 .. 2 x the time until 100 more auctions exist, category
 *           10..14, seller (hot seller rule), extra to ~500 bytes.
 *   bid     auction (hot auction rule), bidder (hot bidder rule), price as above; channel: half
 *           of the bids from 'Google', 'Facebook', 'Baidu' or 'Apple', the rest from
 *           'channel-K' for K < 10000; url = https://www.nexmark.com/xxx/yyy/zzz/item.htm?query=1
 *           with "&channel_id=<reversed bits of K>" for 9 in 10 channels; extra to ~100 bytes.
 *   Choices the published code makes with an unseeded java.util.Random (the url paths, which
 *   channels carry a channel_id) come from the seed here, so a seed fixes everything.
 *
 * Speed: the 'extra' padding strings are views into a pool of random letters built at
 * creation (the published padding is random letters too; only their positions differ), and
 * the 10000 channel names and urls are built once, on first use. Both live as long as the
 * generator, so a batch may point at them.
 */
#ifndef EDDY_CONNECTORS_NEXMARK_GEN_H
#define EDDY_CONNECTORS_NEXMARK_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "runtime/batch.h"

enum { NX_PERSON = 0, NX_AUCTION = 1, NX_BID = 2 };

typedef struct nx_config {
    int64_t first_rate;         /* events per second */
    int64_t next_rate;
    int64_t rate_period_ms;     /* square wave period when the rates differ */
    int person_prop, auction_prop, bid_prop;
    int hot_auction_ratio;      /* 2 */
    int hot_seller_ratio;       /* 4 */
    int hot_bidder_ratio;       /* 4 */
    int64_t active_people;      /* 1000 */
    int64_t inflight_auctions;  /* 100 */
    int avg_person_size;        /* 200 */
    int avg_auction_size;       /* 500 */
    int avg_bid_size;           /* 100 */
    int64_t ooo_group;          /* out-of-order group size, 1 = in order */
    int64_t base_time;          /* epoch ms of event 0 */
    uint64_t seed;
} nx_config;

/* The published defaults (base time 2015-07-15 00:00:00, seed 0). */
void nx_config_default(nx_config *c);

typedef struct nx_gen nx_gen;

nx_gen *nx_gen_new(const nx_config *c);
void nx_gen_free(nx_gen *g);

/* The id of the n-th emitted event (identity unless out of order). */
uint64_t nx_event_id(const nx_gen *g, uint64_t n);
/* NX_PERSON / NX_AUCTION / NX_BID of an event id. */
int nx_kind(const nx_gen *g, uint64_t id);
/* Event time (epoch ms) of an event id. */
int64_t nx_timestamp(const nx_gen *g, uint64_t id);
/* The smallest event number >= n whose event is of `kind` (in-order generators only). */
uint64_t nx_next_of_kind(const nx_gen *g, uint64_t n, int kind);
bool nx_in_order(const nx_gen *g);

/* Bid fields of event id (which must be a bid). Strings live as long as the generator. */
int64_t nx_bid_auction(const nx_gen *g, uint64_t id);
int64_t nx_bid_bidder(const nx_gen *g, uint64_t id);
int64_t nx_bid_price(const nx_gen *g, uint64_t id);
void nx_bid_channel(nx_gen *g, uint64_t id, eddy_str *channel, eddy_str *url);
eddy_str nx_bid_extra(const nx_gen *g, uint64_t id);

typedef struct nx_person {
    int64_t id;
    eddy_str name, email, credit_card, city, state, extra;
    int64_t date_time;
} nx_person;

typedef struct nx_auction {
    int64_t id;
    eddy_str item_name, description;
    int64_t initial_bid, reserve, date_time, expires, seller, category;
    eddy_str extra;
} nx_auction;

typedef struct nx_bid {
    int64_t auction, bidder, price;
    eddy_str channel, url;
    int64_t date_time;
    eddy_str extra;
} nx_bid;

/* Whole events; strings that are not the generator's own go into arena. */
void nx_person_make(const nx_gen *g, uint64_t id, eddy_arena *arena, nx_person *p);
void nx_auction_make(const nx_gen *g, uint64_t id, eddy_arena *arena, nx_auction *a);
void nx_bid_make(nx_gen *g, uint64_t id, nx_bid *b);

#endif
