/*
 * nexmark_gen.c: the Nexmark event generator (see nexmark_gen.h for what it generates).
 *
 * Every field draws from its own random stream (random.h), keyed by the event id and a tag
 * per field, so fields can be generated alone and in any order.
 */
#include "connectors/nexmark_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/random.h"

#define FIRST_PERSON_ID 1000
#define FIRST_AUCTION_ID 1000
#define FIRST_CATEGORY_ID 10
#define NUM_CATEGORIES 5
#define PERSON_ID_LEAD 10
#define AUCTION_ID_LEAD 10
#define HOT_BATCH 100         /* hot auction/seller/bidder: the first of the last 100 */
#define HOT_CHANNELS_RATIO 2
#define CHANNELS_NUMBER 10000
#define POOL_SIZE (1 << 18)   /* random letters for 'extra' */

/* stream tags, one per field */
enum {
    T_B_AUCTION = 1, T_B_BIDDER, T_B_PRICE, T_B_CHANNEL, T_B_EXTRA,
    T_P_NAME, T_P_EMAIL, T_P_CARD, T_P_CITY, T_P_STATE, T_P_EXTRA,
    T_A_SELLER, T_A_CATEGORY, T_A_INITIAL, T_A_RESERVE, T_A_EXPIRES, T_A_NAME, T_A_DESC, T_A_EXTRA,
    T_POOL, T_HOT_URL, T_CHAN_URL,
};

static const char *const first_names[] = {"Peter", "Paul",  "Luke", "John",   "Saul",  "Vicky",
                                          "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
static const char *const last_names[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                         "Walton", "Smith",  "Jones",   "Noris"};
static const char *const us_states[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
static const char *const us_cities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise",
                                        "Portland", "Bend",       "Redmond",       "Seattle",
                                        "Kent",     "Cheyenne"};
static const char *const hot_channels[] = {"Google", "Facebook", "Baidu", "Apple"};

struct nx_gen {
    nx_config c;
    int64_t total;              /* sum of the proportions */
    char *pool;                 /* POOL_SIZE random lower-case letters */
    char *hot_url[4];
    eddy_str *chan_name;        /* CHANNELS_NUMBER, built on first use */
    eddy_str *chan_url;
    char *chan_mem;
    int64_t e1, e2;             /* square wave: events in each half period */
};

void nx_config_default(nx_config *c)
{
    memset(c, 0, sizeof *c);
    c->first_rate = 10000;
    c->next_rate = 10000;
    c->rate_period_ms = 600000;
    c->person_prop = 1;
    c->auction_prop = 3;
    c->bid_prop = 46;
    c->hot_auction_ratio = 2;
    c->hot_seller_ratio = 4;
    c->hot_bidder_ratio = 4;
    c->active_people = 1000;
    c->inflight_auctions = 100;
    c->avg_person_size = 200;
    c->avg_auction_size = 500;
    c->avg_bid_size = 100;
    c->ooo_group = 1;
    c->base_time = INT64_C(1436918400000); /* 2015-07-15 00:00:00.000 */
    c->seed = 0;
}

/* Beam's nextString: 3 .. maxlen-1 letters, one in 13 being `special`, then trimmed. */
static size_t next_string(eddy_rng *r, int maxlen, char special, char *out)
{
    int len = 3 + (int)eddy_rng_below(r, (uint64_t)(maxlen - 3));
    for (int i = 0; i < len; i++) {
        uint64_t x = eddy_rng_next(r);
        /* one draw: the low bits decide "special", the high bits the letter */
        out[i] = (x % 13 == 0) ? special : (char)('a' + (int)(((x >> 32) * 26) >> 32));
    }
    size_t s = 0, e = (size_t)len;
    while (s < e && (unsigned char)out[s] <= ' ') s++;
    while (e > s && (unsigned char)out[e - 1] <= ' ') e--;
    if (s) memmove(out, out + s, e - s);
    return e - s;
}

static char *base_url(eddy_rng *r)
{
    char a[8], b[8], c[8];
    size_t na = next_string(r, 5, '_', a), nb = next_string(r, 5, '_', b),
           nc = next_string(r, 5, '_', c);
    char buf[128];
    snprintf(buf, sizeof buf, "https://www.nexmark.com/%.*s/%.*s/%.*s/item.htm?query=1", (int)na, a,
             (int)nb, b, (int)nc, c);
    return eddy_xstrdup(buf);
}

nx_gen *nx_gen_new(const nx_config *c)
{
    nx_gen *g = eddy_xcalloc(1, sizeof *g);
    g->c = *c;
    if (g->c.ooo_group < 1) g->c.ooo_group = 1;
    g->total = c->person_prop + c->auction_prop + c->bid_prop;
    if (g->total <= 0) g->total = 1;
    if (g->c.first_rate <= 0) g->c.first_rate = 1;
    if (g->c.next_rate <= 0) g->c.next_rate = 1;
    if (g->c.first_rate != g->c.next_rate) {
        int64_t half = g->c.rate_period_ms / 2;
        g->e1 = g->c.first_rate * half / 1000;
        g->e2 = g->c.next_rate * half / 1000;
    }
    g->pool = eddy_xmalloc(POOL_SIZE);
    eddy_rng r = eddy_rng_for(c->seed, 0, T_POOL);
    for (int i = 0; i < POOL_SIZE; i += 8) {
        uint64_t x = eddy_rng_next(&r);
        for (int k = 0; k < 8; k++) {
            /* successive base-26 digits of the 64-bit fraction */
            unsigned __int128 m = (unsigned __int128)x * 26;
            g->pool[i + k] = (char)('a' + (int)(m >> 64));
            x = (uint64_t)m;
        }
    }
    for (int i = 0; i < 4; i++) {
        eddy_rng u = eddy_rng_for(c->seed, (uint64_t)i, T_HOT_URL);
        g->hot_url[i] = base_url(&u);
    }
    return g;
}

void nx_gen_free(nx_gen *g)
{
    if (!g) return;
    free(g->pool);
    for (int i = 0; i < 4; i++) free(g->hot_url[i]);
    free(g->chan_name);
    free(g->chan_url);
    free(g->chan_mem);
    free(g);
}

bool nx_in_order(const nx_gen *g)
{
    return g->c.ooo_group <= 1;
}

uint64_t nx_event_id(const nx_gen *g, uint64_t n)
{
    uint64_t k = (uint64_t)g->c.ooo_group;
    if (k <= 1) return n;
    return (n / k) * k + (n * 953) % k;
}

int nx_kind(const nx_gen *g, uint64_t id)
{
    int64_t rem = (int64_t)(id % (uint64_t)g->total);
    if (rem < g->c.person_prop) return NX_PERSON;
    if (rem < g->c.person_prop + g->c.auction_prop) return NX_AUCTION;
    return NX_BID;
}

uint64_t nx_next_of_kind(const nx_gen *g, uint64_t n, int kind)
{
    uint64_t t = (uint64_t)g->total, pp = (uint64_t)g->c.person_prop,
             ap = (uint64_t)g->c.auction_prop;
    uint64_t lo = kind == NX_PERSON ? 0 : kind == NX_AUCTION ? pp : pp + ap;
    uint64_t hi = kind == NX_PERSON ? pp : kind == NX_AUCTION ? pp + ap : t;
    if (lo >= hi) return UINT64_MAX; /* no events of that kind */
    uint64_t r = n % t;
    if (r >= lo && r < hi) return n;
    if (r < lo) return n + (lo - r);
    return n + (t - r) + lo;
}

int64_t nx_timestamp(const nx_gen *g, uint64_t id)
{
    const nx_config *c = &g->c;
    if (c->first_rate == c->next_rate || g->e1 + g->e2 <= 0)
        return c->base_time + (int64_t)((unsigned __int128)id * 1000 / (uint64_t)c->first_rate);
    uint64_t cycle = (uint64_t)(g->e1 + g->e2);
    uint64_t k = id / cycle, r = id % cycle;
    int64_t t = (int64_t)k * c->rate_period_ms;
    if (r < (uint64_t)g->e1)
        t += (int64_t)(r * 1000 / (uint64_t)c->first_rate);
    else
        t += c->rate_period_ms / 2 + (int64_t)((r - (uint64_t)g->e1) * 1000 / (uint64_t)c->next_rate);
    return c->base_time + t;
}

/* ---------------------------------------------------------------------------------------- */
/* Ids                                                                                      */

static int64_t last_base0_person(const nx_gen *g, uint64_t id)
{
    int64_t epoch = (int64_t)(id / (uint64_t)g->total), off = (int64_t)(id % (uint64_t)g->total);
    if (off >= g->c.person_prop) off = g->c.person_prop - 1;
    return epoch * g->c.person_prop + off;
}

static int64_t last_base0_auction(const nx_gen *g, uint64_t id)
{
    int64_t epoch = (int64_t)(id / (uint64_t)g->total), off = (int64_t)(id % (uint64_t)g->total);
    if (off < g->c.person_prop) {
        epoch--;
        off = g->c.auction_prop - 1;
    } else if (off >= g->c.person_prop + g->c.auction_prop) {
        off = g->c.auction_prop - 1;
    } else {
        off -= g->c.person_prop;
    }
    return epoch * g->c.auction_prop + off;
}

static int64_t next_base0_person(const nx_gen *g, uint64_t id, eddy_rng *r)
{
    int64_t num = last_base0_person(g, id) + 1;
    int64_t active = num < g->c.active_people ? num : g->c.active_people;
    if (active < 0) active = 0;
    int64_t n = (int64_t)eddy_rng_below(r, (uint64_t)(active + PERSON_ID_LEAD));
    return num - active + n;
}

static int64_t next_base0_auction(const nx_gen *g, uint64_t id, eddy_rng *r)
{
    int64_t last = last_base0_auction(g, id);
    int64_t lo = last - g->c.inflight_auctions;
    if (lo < 0) lo = 0;
    int64_t span = last - lo + 1 + AUCTION_ID_LEAD;
    if (span < 1) span = 1;
    return lo + (int64_t)eddy_rng_below(r, (uint64_t)span);
}

/* PriceGenerator.nextPrice: round(10^(6u) * 100). */
static int64_t next_price(eddy_rng *r)
{
    return (int64_t)floor(exp(eddy_rng_double(r) * 6.0 * 2.302585092994046) * 100.0 + 0.5);
}

/* nextExtra: letters padding currentSize up to about `avg` bytes (+-20%), from the pool. */
static eddy_str next_extra(const nx_gen *g, eddy_rng *r, int current, int avg)
{
    eddy_str s = {g->pool, 0};
    if (current > avg) return s;
    int desired = avg - current;
    int delta = (int)floor(desired * 0.2 + 0.5);
    int size = desired - delta + (delta ? (int)eddy_rng_below(r, (uint64_t)(2 * delta)) : 0);
    if (size > POOL_SIZE) size = POOL_SIZE;
    s.p = g->pool + eddy_rng_below(r, (uint64_t)(POOL_SIZE - size + 1));
    s.n = (uint32_t)size;
    return s;
}

/* ---------------------------------------------------------------------------------------- */
/* Bids                                                                                     */

int64_t nx_bid_auction(const nx_gen *g, uint64_t id)
{
    eddy_rng r = eddy_rng_for(g->c.seed, id, T_B_AUCTION);
    int64_t a;
    if (eddy_rng_below(&r, (uint64_t)g->c.hot_auction_ratio) > 0)
        a = (last_base0_auction(g, id) / HOT_BATCH) * HOT_BATCH;
    else
        a = next_base0_auction(g, id, &r);
    return a + FIRST_AUCTION_ID;
}

int64_t nx_bid_bidder(const nx_gen *g, uint64_t id)
{
    eddy_rng r = eddy_rng_for(g->c.seed, id, T_B_BIDDER);
    int64_t b;
    if (eddy_rng_below(&r, (uint64_t)g->c.hot_bidder_ratio) > 0)
        b = (last_base0_person(g, id) / HOT_BATCH) * HOT_BATCH + 1;
    else
        b = next_base0_person(g, id, &r);
    return b + FIRST_PERSON_ID;
}

int64_t nx_bid_price(const nx_gen *g, uint64_t id)
{
    eddy_rng r = eddy_rng_for(g->c.seed, id, T_B_PRICE);
    return next_price(&r);
}

static void build_channels(nx_gen *g)
{
    g->chan_name = eddy_xcalloc(CHANNELS_NUMBER, sizeof(eddy_str));
    g->chan_url = eddy_xcalloc(CHANNELS_NUMBER, sizeof(eddy_str));
    size_t cap = (size_t)CHANNELS_NUMBER * 112, used = 0;
    g->chan_mem = eddy_xmalloc(cap);
    for (int k = 0; k < CHANNELS_NUMBER; k++) {
        int n = snprintf(g->chan_mem + used, cap - used, "channel-%d", k);
        g->chan_name[k].p = g->chan_mem + used;
        g->chan_name[k].n = (uint32_t)n;
        used += (size_t)n;
        eddy_rng r = eddy_rng_for(g->c.seed, (uint64_t)k, T_CHAN_URL);
        char *url = base_url(&r);
        if (eddy_rng_below(&r, 10) > 0) {
            /* Math.abs(Integer.reverse(k)): abs of INT_MIN stays negative in Java */
            uint32_t v = (uint32_t)k, rev = 0;
            for (int b = 0; b < 32; b++) rev |= ((v >> b) & 1u) << (31 - b);
            int32_t s = (int32_t)rev;
            int64_t a = s == INT32_MIN ? s : (s < 0 ? -(int64_t)s : s);
            n = snprintf(g->chan_mem + used, cap - used, "%s&channel_id=%lld", url, (long long)a);
        } else {
            n = snprintf(g->chan_mem + used, cap - used, "%s", url);
        }
        free(url);
        g->chan_url[k].p = g->chan_mem + used;
        g->chan_url[k].n = (uint32_t)n;
        used += (size_t)n;
    }
}

void nx_bid_channel(nx_gen *g, uint64_t id, eddy_str *channel, eddy_str *url)
{
    eddy_rng r = eddy_rng_for(g->c.seed, id, T_B_CHANNEL);
    if (eddy_rng_below(&r, HOT_CHANNELS_RATIO) > 0) {
        int i = (int)eddy_rng_below(&r, 4);
        channel->p = hot_channels[i];
        channel->n = (uint32_t)strlen(hot_channels[i]);
        url->p = g->hot_url[i];
        url->n = (uint32_t)strlen(g->hot_url[i]);
        return;
    }
    if (!g->chan_name) build_channels(g);
    int k = (int)eddy_rng_below(&r, CHANNELS_NUMBER);
    *channel = g->chan_name[k];
    *url = g->chan_url[k];
}

eddy_str nx_bid_extra(const nx_gen *g, uint64_t id)
{
    eddy_rng r = eddy_rng_for(g->c.seed, id, T_B_EXTRA);
    return next_extra(g, &r, 8 + 8 + 8 + 8, g->c.avg_bid_size);
}

void nx_bid_make(nx_gen *g, uint64_t id, nx_bid *b)
{
    b->auction = nx_bid_auction(g, id);
    b->bidder = nx_bid_bidder(g, id);
    b->price = nx_bid_price(g, id);
    nx_bid_channel(g, id, &b->channel, &b->url);
    b->date_time = nx_timestamp(g, id);
    b->extra = nx_bid_extra(g, id);
}

/* ---------------------------------------------------------------------------------------- */
/* Persons and auctions                                                                     */

static eddy_str lit(const char *s)
{
    eddy_str r = {s, (uint32_t)strlen(s)};
    return r;
}

static eddy_str arena_str(eddy_arena *a, const char *s, size_t n)
{
    char *p = eddy_arena_alloc(a, n ? n : 1);
    memcpy(p, s, n);
    eddy_str r = {p, (uint32_t)n};
    return r;
}

void nx_person_make(const nx_gen *g, uint64_t id, eddy_arena *arena, nx_person *p)
{
    uint64_t seed = g->c.seed;
    char buf[64];
    p->id = last_base0_person(g, id) + FIRST_PERSON_ID;
    eddy_rng r = eddy_rng_for(seed, id, T_P_NAME);
    const char *fn = first_names[eddy_rng_below(&r, 11)], *ln = last_names[eddy_rng_below(&r, 9)];
    int n = snprintf(buf, sizeof buf, "%s %s", fn, ln);
    p->name = arena_str(arena, buf, (size_t)n);
    r = eddy_rng_for(seed, id, T_P_EMAIL);
    size_t a = next_string(&r, 7, ' ', buf);
    buf[a++] = '@';
    a += next_string(&r, 5, ' ', buf + a);
    memcpy(buf + a, ".com", 4);
    p->email = arena_str(arena, buf, a + 4);
    r = eddy_rng_for(seed, id, T_P_CARD);
    n = snprintf(buf, sizeof buf, "%04d %04d %04d %04d", (int)eddy_rng_below(&r, 10000),
                 (int)eddy_rng_below(&r, 10000), (int)eddy_rng_below(&r, 10000),
                 (int)eddy_rng_below(&r, 10000));
    p->credit_card = arena_str(arena, buf, (size_t)n);
    r = eddy_rng_for(seed, id, T_P_CITY);
    p->city = lit(us_cities[eddy_rng_below(&r, 10)]);
    r = eddy_rng_for(seed, id, T_P_STATE);
    p->state = lit(us_states[eddy_rng_below(&r, 6)]);
    int current = 8 + (int)(p->name.n + p->email.n + p->credit_card.n + p->city.n + p->state.n);
    r = eddy_rng_for(seed, id, T_P_EXTRA);
    p->extra = next_extra(g, &r, current, g->c.avg_person_size);
    p->date_time = nx_timestamp(g, id);
}

void nx_auction_make(const nx_gen *g, uint64_t id, eddy_arena *arena, nx_auction *a)
{
    uint64_t seed = g->c.seed;
    char buf[128];
    a->id = last_base0_auction(g, id) + FIRST_AUCTION_ID;
    eddy_rng r = eddy_rng_for(seed, id, T_A_SELLER);
    int64_t seller;
    if (eddy_rng_below(&r, (uint64_t)g->c.hot_seller_ratio) > 0)
        seller = (last_base0_person(g, id) / HOT_BATCH) * HOT_BATCH;
    else
        seller = next_base0_person(g, id, &r);
    a->seller = seller + FIRST_PERSON_ID;
    r = eddy_rng_for(seed, id, T_A_CATEGORY);
    a->category = FIRST_CATEGORY_ID + (int64_t)eddy_rng_below(&r, NUM_CATEGORIES);
    r = eddy_rng_for(seed, id, T_A_INITIAL);
    a->initial_bid = next_price(&r);
    r = eddy_rng_for(seed, id, T_A_RESERVE);
    a->reserve = a->initial_bid + next_price(&r);
    a->date_time = nx_timestamp(g, id);
    /* the auction runs about twice the time until inflight_auctions more auctions exist */
    int64_t ahead = g->c.auction_prop > 0
                        ? g->c.inflight_auctions * g->total / g->c.auction_prop
                        : 0;
    int64_t horizon = nx_timestamp(g, id + (uint64_t)ahead) - a->date_time;
    r = eddy_rng_for(seed, id, T_A_EXPIRES);
    a->expires = a->date_time + 1 +
                 (int64_t)eddy_rng_below(&r, (uint64_t)(horizon * 2 > 1 ? horizon * 2 : 1));
    r = eddy_rng_for(seed, id, T_A_NAME);
    size_t n = next_string(&r, 20, ' ', buf);
    a->item_name = arena_str(arena, buf, n);
    r = eddy_rng_for(seed, id, T_A_DESC);
    n = next_string(&r, 100, ' ', buf);
    a->description = arena_str(arena, buf, n);
    int current = 8 + (int)(a->item_name.n + a->description.n) + 8 + 8 + 8 + 8 + 8;
    r = eddy_rng_for(seed, id, T_A_EXTRA);
    a->extra = next_extra(g, &r, current, g->c.avg_auction_size);
}
