/*
 * test_conn_nexmark.c: the nexmark source: the 1:3:46 mix, ids, event times from the rate,
 * determinism under a seed, batch-size and projection independence, the pushed-down
 * `event_type = 2` giving exactly the unfiltered stream's bids, bounded end, position/seek,
 * whole ROW columns as JSON, pacing, and option errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "connectors/format_json.h"
#include "test_conn_util.h"

static const eddy_source_ops *ops(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "nexmark")->source;
}

/* A source over the given (row, field) paths; "" row = top-level column. */
typedef struct nxs {
    eddy_schema s;
    const char **pathv[16];
    int npath[16];
    const char *pairs[16][2];
    eddy_source_spec spec;
    void *st;
    eddy_batch *b;
    eddy_bexpr filt, col, cst, *args[2];
} nxs;

static eddy_sqltype *type_of(const char *row, const char *name)
{
    if (!row) return strcmp(name, "event_type") == 0 ? &tc_int : &tc_row;
    if (strcmp(name, "dateTime") == 0 || strcmp(name, "expires") == 0) return &tc_ts3;
    static const char *strs[] = {"name", "emailAddress", "creditCard", "city", "state", "extra",
                                 "itemName", "description", "channel", "url", NULL};
    for (int i = 0; strs[i]; i++)
        if (strcmp(strs[i], name) == 0) return &tc_varchar;
    return &tc_bigint;
}

static int nxs_open(nxs *x, int n, const char *const *cols, const eddy_kv *kv, int nkv, int cap,
                    int filter_kind, eddy_error *err)
{
    memset(x, 0, sizeof *x);
    const char *names[16];
    eddy_sqltype *types[16];
    for (int i = 0; i < n; i++) {
        const char *dot = strchr(cols[i], '.');
        if (dot) {
            static char rows[16][32];
            snprintf(rows[i], sizeof rows[i], "%.*s", (int)(dot - cols[i]), cols[i]);
            x->pairs[i][0] = rows[i];
            x->pairs[i][1] = dot + 1;
            x->npath[i] = 2;
        } else {
            x->pairs[i][0] = cols[i];
            x->npath[i] = 1;
        }
        x->pathv[i] = x->pairs[i];
        names[i] = cols[i];
        types[i] = type_of(dot ? x->pairs[i][0] : NULL, dot ? x->pairs[i][1] : cols[i]);
    }
    x->s = tc_schema(n, names, types);
    x->spec = tc_source_spec("datagen", &x->s, kv, nkv);
    x->spec.paths = (const char *const *const *)x->pathv;
    x->spec.npath = x->npath;
    if (filter_kind >= 0) {
        x->col.kind = EDDY_BEXPR_COLUMN;
        x->col.type = &tc_int;
        x->col.column = 0;
        x->cst.kind = EDDY_BEXPR_CONST;
        x->cst.type = &tc_int;
        x->cst.value.u.i = filter_kind;
        x->args[0] = &x->col;
        x->args[1] = &x->cst;
        x->filt.kind = EDDY_BEXPR_COMPARE;
        x->filt.op = EDDY_BOP_EQ;
        x->filt.type = &tc_bool;
        x->filt.args = x->args;
        x->filt.nargs = 2;
        x->spec.pushed_filter = &x->filt;
    }
    eddy_error_clear(err);
    int rc = ops()->open(&x->spec, &x->st, err);
    x->b = tc_batch(&x->s, cap);
    return rc;
}

static void nxs_close(nxs *x)
{
    if (x->st) ops()->close(x->st);
    eddy_batch_free(x->b);
    free(x->s.fields);
}

/* Polls until DATA or END; returns the poll code. */
static int nxs_poll(nxs *x)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_batch_reset(x->b);
    int r;
    do r = ops()->poll(x->st, x->b, 0, &err);
    while (r == EDDY_POLL_IDLE);
    return r;
}

static const eddy_kv fast[] = {{"connector", "nexmark"}, {"max-emit-speed", "true"},
                               {"first-event.rate", "1000"}, {"events.num", "5000"}};

static void test_mix_and_ids(void **st)
{
    (void)st;
    const char *cols[] = {"event_type", "person.id", "auction.id", "bid.auction", "bid.dateTime",
                          "person.dateTime", "auction.dateTime"};
    nxs x;
    eddy_error err;
    assert_int_equal(nxs_open(&x, 7, cols, fast, 4, 512, -1, &err), 0);
    int count[3] = {0}, n = 0;
    int64_t next_person = 1000, next_auction = 1000;
    while (nxs_poll(&x) == EDDY_POLL_DATA) {
        for (int r = 0; r < x.b->n; r++, n++) {
            int k = (int)x.b->cols[0].v.i64[r];
            count[k]++;
            int rem = n % 50;
            assert_int_equal(k, rem == 0 ? 0 : rem < 4 ? 1 : 2);
            /* dateTime = base + n * 1000 / rate, in the column of the event's kind only */
            int tcol = k == 2 ? 4 : k == 0 ? 5 : 6;
            assert_int_equal(x.b->cols[tcol].v.i64[r], INT64_C(1436918400000) + n);
            for (int c = 4; c <= 6; c++) assert_int_equal(tc_isnull(x.b, c, r), c != tcol);
            if (k == 0) assert_int_equal(x.b->cols[1].v.i64[r], next_person++);
            if (k == 1) assert_int_equal(x.b->cols[2].v.i64[r], next_auction++);
            assert_int_equal(tc_isnull(x.b, 1, r), k != 0);
            assert_int_equal(tc_isnull(x.b, 2, r), k != 1);
            assert_int_equal(tc_isnull(x.b, 3, r), k != 2);
            if (k == 2) { /* bids refer to auctions that exist or are about to */
                assert_true(x.b->cols[3].v.i64[r] >= 1000);
                assert_true(x.b->cols[3].v.i64[r] <= next_auction + 10);
            }
        }
    }
    assert_int_equal(n, 5000);
    assert_int_equal(count[0], 100);
    assert_int_equal(count[1], 300);
    assert_int_equal(count[2], 4600);
    uint64_t done, total;
    ops()->progress(x.st, &done, &total);
    assert_int_equal(done, 5000);
    assert_int_equal(total, 5000);
    assert_int_equal(nxs_poll(&x), EDDY_POLL_END);
    nxs_close(&x);
}

static void test_rate(void **st)
{
    (void)st;
    const eddy_kv kv[] = {{"first-event.rate", "3"}, {"max-emit-speed", "true"},
                          {"events.num", "100"}, {"base-time", "0"}, {"bid.proportion", "46"}};
    const char *cols[] = {"event_type", "bid.dateTime", "person.dateTime", "auction.dateTime"};
    nxs x;
    eddy_error err;
    assert_int_equal(nxs_open(&x, 4, cols, kv, 5, 64, -1, &err), 0);
    int n = 0;
    while (nxs_poll(&x) == EDDY_POLL_DATA)
        for (int r = 0; r < x.b->n; r++, n++) {
            int k = (int)x.b->cols[0].v.i64[r];
            assert_int_equal(x.b->cols[1 + (k == 2 ? 0 : k == 0 ? 1 : 2)].v.i64[r], n * 1000 / 3);
        }
    assert_int_equal(n, 100);
    nxs_close(&x);
}

static const char *bid_cols[] = {"event_type", "bid.auction", "bid.bidder", "bid.price",
                                 "bid.channel", "bid.url", "bid.dateTime", "bid.extra"};

/* Collects the bid rows of a source as text lines. */
static char *collect(nxs *x, bool bids_only, int *rows)
{
    eddy_strbuf out = {0};
    *rows = 0;
    while (nxs_poll(x) == EDDY_POLL_DATA) {
        for (int r = 0; r < x->b->n; r++) {
            if (bids_only && x->b->cols[0].v.i64[r] != 2) continue;
            (*rows)++;
            for (int c = 0; c < x->s.n; c++) {
                if (tc_isnull(x->b, c, r))
                    eddy_strbuf_puts(&out, "null");
                else if (x->b->cols[c].phys == EDDY_PHYS_STR)
                    eddy_strbuf_append(&out, x->b->cols[c].v.str[r].p, x->b->cols[c].v.str[r].n);
                else
                    eddy_strbuf_printf(&out, "%lld", (long long)x->b->cols[c].v.i64[r]);
                eddy_strbuf_putc(&out, c + 1 < x->s.n ? '|' : '\n');
            }
        }
    }
    return eddy_strbuf_take(&out);
}

static void test_filter_equals_unfiltered(void **st)
{
    (void)st;
    nxs a, b;
    eddy_error err;
    int na, nb;
    assert_int_equal(nxs_open(&a, 8, bid_cols, fast, 4, 300, -1, &err), 0);
    assert_int_equal(nxs_open(&b, 8, bid_cols, fast, 4, 1024, 2, &err), 0);
    char *ta = collect(&a, true, &na), *tb = collect(&b, false, &nb);
    assert_int_equal(na, 4600);
    assert_int_equal(nb, 4600);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    nxs_close(&a);
    nxs_close(&b);
    /* a person filter gives the persons */
    const char *pc[] = {"event_type", "person.id", "person.name", "person.dateTime"};
    assert_int_equal(nxs_open(&a, 4, pc, fast, 4, 1024, 0, &err), 0);
    ta = collect(&a, false, &na);
    assert_int_equal(na, 100);
    assert_non_null(strstr(ta, "0|1000|"));
    assert_non_null(strstr(ta, "0|1099|"));
    free(ta);
    nxs_close(&a);
}

static void test_determinism_and_independence(void **st)
{
    (void)st;
    const eddy_kv s1[] = {{"max-emit-speed", "true"}, {"events.num", "3000"}, {"seed", "42"}};
    const eddy_kv s2[] = {{"max-emit-speed", "true"}, {"events.num", "3000"}, {"seed", "43"}};
    nxs a, b, c;
    eddy_error err;
    int n;
    assert_int_equal(nxs_open(&a, 8, bid_cols, s1, 3, 1024, -1, &err), 0);
    assert_int_equal(nxs_open(&b, 8, bid_cols, s1, 3, 7, -1, &err), 0);
    assert_int_equal(nxs_open(&c, 8, bid_cols, s2, 3, 1024, -1, &err), 0);
    char *ta = collect(&a, false, &n), *tb = collect(&b, false, &n), *tc = collect(&c, false, &n);
    assert_string_equal(ta, tb);          /* batch size does not matter */
    assert_string_not_equal(ta, tc);      /* the seed does */
    free(tb);
    free(tc);
    nxs_close(&a);
    nxs_close(&b);
    nxs_close(&c);
    /* one column alone has the values it has among others */
    const char *pc[] = {"event_type", "bid.price"};
    assert_int_equal(nxs_open(&a, 2, pc, s1, 3, 100, -1, &err), 0);
    char *tp = collect(&a, false, &n);
    nxs_close(&a);
    const char *p = ta, *q = tp;
    while (*p) {
        /* the 4th field of each full line equals the 2nd of the price line */
        const char *f = p;
        for (int k = 0; k < 3; k++) f = strchr(f, '|') + 1;
        const char *g = strchr(q, '|') + 1;
        size_t lf = strcspn(f, "|\n"), lg = strcspn(g, "\n");
        assert_int_equal(lf, lg);
        assert_memory_equal(f, g, lf);
        p = strchr(p, '\n') + 1;
        q = strchr(q, '\n') + 1;
    }
    free(ta);
    free(tp);
}

static void test_contents(void **st)
{
    (void)st;
    const char *cols[] = {"event_type",  "person.name", "person.emailAddress", "person.creditCard",
                          "person.city", "person.state", "auction.itemName", "auction.reserve",
                          "auction.initialBid", "auction.expires", "auction.dateTime",
                          "auction.category", "bid.url", "bid.extra", "bid.channel", "bid.price"};
    nxs x;
    eddy_error err;
    assert_int_equal(nxs_open(&x, 16, cols, fast, 4, 1024, -1, &err), 0);
    int hot = 0, bids = 0;
    while (nxs_poll(&x) == EDDY_POLL_DATA) {
        for (int r = 0; r < x.b->n; r++) {
            int k = (int)x.b->cols[0].v.i64[r];
            if (k == 0) {
                assert_non_null(strchr(tc_str(x.b, 1, r), ' '));
                const char *em = tc_str(x.b, 2, r);
                assert_non_null(strchr(em, '@'));
                assert_string_equal(em + strlen(em) - 4, ".com");
                const char *cc = tc_str(x.b, 3, r);
                assert_int_equal(strlen(cc), 19);
                assert_true(cc[4] == ' ' && cc[9] == ' ' && cc[14] == ' ');
                assert_int_equal(strlen(tc_str(x.b, 5, r)), 2);
            } else if (k == 1) {
                assert_true(x.b->cols[6].v.str[r].n >= 1 && x.b->cols[6].v.str[r].n < 20);
                assert_true(x.b->cols[7].v.i64[r] > x.b->cols[8].v.i64[r]);
                assert_true(x.b->cols[9].v.i64[r] > x.b->cols[10].v.i64[r]);
                assert_true(x.b->cols[11].v.i64[r] >= 10 && x.b->cols[11].v.i64[r] <= 14);
            } else {
                bids++;
                const char *url = tc_str(x.b, 12, r);
                assert_memory_equal(url, "https://www.nexmark.com/", 24);
                assert_non_null(strstr(url, "/item.htm?query=1"));
                uint32_t el = x.b->cols[13].v.str[r].n;
                assert_true(el >= 54 && el <= 81);
                for (uint32_t i = 0; i < el; i++)
                    assert_true(x.b->cols[13].v.str[r].p[i] >= 'a' && x.b->cols[13].v.str[r].p[i] <= 'z');
                const char *ch = tc_str(x.b, 14, r);
                if (!strcmp(ch, "Google") || !strcmp(ch, "Facebook") || !strcmp(ch, "Baidu") ||
                    !strcmp(ch, "Apple"))
                    hot++;
                else
                    assert_memory_equal(ch, "channel-", 8);
                assert_true(x.b->cols[15].v.i64[r] >= 100 && x.b->cols[15].v.i64[r] <= 100000000);
            }
        }
    }
    assert_true(hot > bids * 4 / 10 && hot < bids * 6 / 10);
    nxs_close(&x);
}

static void test_row_json_and_seek(void **st)
{
    (void)st;
    const char *cols[] = {"event_type", "bid", "bid.price", "person"};
    nxs x, y;
    eddy_error err;
    assert_int_equal(nxs_open(&x, 4, cols, fast, 4, 100, -1, &err), 0);
    assert_int_equal(nxs_poll(&x), EDDY_POLL_DATA);
    /* the bid ROW's JSON text holds the same price */
    const char *bn[] = {"price", "dateTime"};
    eddy_sqltype *bt[] = {&tc_bigint, &tc_ts3};
    eddy_schema bs = tc_schema(2, bn, bt);
    eddy_json_decoder *d = eddy_json_decoder_new(&bs, NULL, NULL, NULL);
    eddy_batch *jb = tc_batch(&bs, 128);
    for (int r = 0; r < x.b->n; r++) {
        if (x.b->cols[0].v.i64[r] != 2) {
            assert_true(tc_isnull(x.b, 1, r));
            continue;
        }
        assert_int_equal(eddy_json_decode(d, x.b->cols[1].v.str[r].p, x.b->cols[1].v.str[r].n, jb, false), 0);
        assert_int_equal(jb->cols[0].v.i64[jb->n - 1], x.b->cols[2].v.i64[r]);
        assert_int_equal(jb->cols[1].v.i64[jb->n - 1], INT64_C(1436918400000) + r);
    }
    assert_memory_equal(tc_str(x.b, 3, 0), "{\"id\":1000,\"name\":\"", 19);
    eddy_json_decoder_free(d);
    eddy_batch_free(jb);
    free(bs.fields);
    /* position after 100 events; a new source seeks there and goes on identically */
    eddy_strbuf pos = {0};
    assert_int_equal(ops()->position(x.st, &pos, &err), 0);
    assert_string_equal(pos.s, "100");
    assert_int_equal(nxs_open(&y, 4, cols, fast, 4, 100, -1, &err), 0);
    assert_int_equal(ops()->seek(y.st, pos.s, pos.n, &err), 0);
    int n;
    char *tx = collect(&x, false, &n), *ty = collect(&y, false, &n);
    assert_string_equal(tx, ty);
    assert_int_equal(n, 4900);
    assert_int_not_equal(ops()->seek(y.st, "12x", 3, &err), 0);
    free(tx);
    free(ty);
    eddy_strbuf_free(&pos);
    nxs_close(&x);
    nxs_close(&y);
}

static void test_splits(void **st)
{
    (void)st;
    const eddy_kv kv[] = {{"max-emit-speed", "true"}, {"events.num", "1000"}, {"splits", "3"},
                          {"first-event.rate", "1000"}};
    const char *cols[] = {"event_type", "bid.dateTime"};
    nxs x;
    eddy_error err;
    assert_int_equal(nxs_open(&x, 2, cols, kv, 4, 64, 2, &err), 0);
    assert_int_equal(ops()->splits(x.st), 3);
    int total = 0;
    int64_t last[3] = {0, 0, 0};
    while (nxs_poll(&x) == EDDY_POLL_DATA) {
        int sp = x.b->split;
        assert_true(sp >= 0 && sp < 3);
        for (int r = 0; r < x.b->n; r++) {
            int64_t t = x.b->cols[1].v.i64[r];
            assert_true(t > last[sp]);
            assert_int_equal((t - INT64_C(1436918400000)) % 3, sp); /* event n at base + n ms */
            last[sp] = t;
        }
        total += x.b->n;
    }
    assert_int_equal(total, 920);
    eddy_strbuf pos = {0};
    ops()->position(x.st, &pos, &err);
    assert_string_equal(pos.s, "1002,1000,1001");
    eddy_strbuf_free(&pos);
    nxs_close(&x);
}

static void test_pacing_and_options(void **st)
{
    (void)st;
    const eddy_kv paced[] = {{"first-event.rate", "10"}};
    const char *cols[] = {"event_type"};
    nxs x;
    eddy_error err;
    assert_int_equal(nxs_open(&x, 1, cols, paced, 1, 64, -1, &err), 0);
    eddy_batch_reset(x.b);
    assert_int_equal(ops()->poll(x.st, x.b, 0, &err), EDDY_POLL_DATA);
    assert_int_equal(x.b->n, 1); /* only event 0 is due at the start */
    eddy_batch_reset(x.b);
    assert_int_equal(ops()->poll(x.st, x.b, 0, &err), EDDY_POLL_IDLE);
    nxs_close(&x);

    const eddy_kv typo[] = {{"first-event.rte", "10"}};
    assert_int_not_equal(nxs_open(&x, 1, cols, typo, 1, 64, -1, &err), 0);
    assert_string_equal(err.msg, "unknown option 'first-event.rte' for connector 'nexmark'; did "
                                 "you mean 'first-event.rate'?");
    nxs_close(&x);
    const eddy_kv bad[] = {{"events.num", "${EVENTS_NUM}"}};
    assert_int_not_equal(nxs_open(&x, 1, cols, bad, 1, 64, -1, &err), 0);
    assert_string_equal(err.msg, "option 'events.num' of connector 'nexmark' must be an integer, "
                                 "not '${EVENTS_NUM}'");
    nxs_close(&x);
    const char *nocol[] = {"bid.bogus"};
    assert_int_not_equal(nxs_open(&x, 1, nocol, fast, 4, 64, -1, &err), 0);
    assert_non_null(strstr(err.msg, "has no field 'bid.bogus'"));
    nxs_close(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mix_and_ids),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_filter_equals_unfiltered),
        cmocka_unit_test(test_determinism_and_independence),
        cmocka_unit_test(test_contents),
        cmocka_unit_test(test_row_json_and_seek),
        cmocka_unit_test(test_splits),
        cmocka_unit_test(test_pacing_and_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
