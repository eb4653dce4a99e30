/*
 * cmd_repl.c: `eddy` with no command: the interactive SQL shell.
 *
 * On a terminal it reads lines with libedit (prompt "eddy> ", "   -> " while a statement goes
 * on, history in ~/.eddy_history, Ctrl-C drops the statement being typed, Ctrl-D or quit/exit
 * leaves). When standard input is not a terminal it reads lines from it without prompts or
 * history, so that scripts and tests can drive it; an error does not stop the rest, and the
 * exit code is 1 when any statement failed.
 *
 * Lines gather in a buffer until it holds complete statements (statement_state()): the last
 * token is ';' (found with the lexer, so a ';' in a string or a comment does not count) and the
 * text parses, or fails somewhere before its end. A parse that fails only at the end of the
 * text means a statement still goes on across a ';' (EXECUTE STATEMENT SET BEGIN ...; ... END;),
 * and so does a string, quoted name or comment that is still open. The statements are handed
 * one by one to the session (session.h).
 *
 * Jobs (docs/repl.md): the session runs INSERT and statement sets in the background, each on a
 * thread of its own (jobs.h), and says their ids; SHOW JOBS and STOP JOB 'id' [WITH SAVEPOINT]
 * manage them; a bare SELECT runs in the foreground until it ends or Ctrl-C stops it. Their
 * print sinks write whole lines to standard output between prompts. Leaving (quit, exit,
 * Ctrl-D, the end of the input, SIGTERM, and SIGINT when the input is not a terminal) stops
 * the running jobs cleanly, each with a last checkpoint when it has state, and waits for them.
 * Job threads block SIGINT and SIGTERM, so these signals always reach this thread's read().
 */
#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"
#include "common/strbuf.h"
#include "parser/tokenizer.h"
#include "parser/parser.h"
#include "session.h"
#include "sqlfile.h"

#ifndef EDDY_VERSION
#define EDDY_VERSION "unknown"
#endif

#define HISTORY_FILE ".eddy_history"
#define HISTORY_SIZE 1000

static const char repl_help[] =
    "Type SQL statements ending with ';'; a statement may span lines.\n"
    "  help          this text\n"
    "  quit, exit    leave (so does Ctrl-D on an empty line)\n"
    "  Ctrl-C        drop the statement being typed\n"
    "Statements: CREATE TABLE / VIEW, SELECT, INSERT INTO, SET, SHOW, DESCRIBE, EXPLAIN, ...\n"
    "(docs/sql-reference.md). A SELECT runs here until it ends or Ctrl-C stops it; INSERT INTO\n"
    "and statement sets run in the background as jobs (docs/repl.md):\n"
    "  SHOW JOBS;                          the jobs of this session and their status\n"
    "  STOP JOB 'id';                      stop one (its last checkpoint when it has state)\n"
    "  STOP JOB 'id' WITH SAVEPOINT;       ... with a savepoint in 'state.savepoints.dir'/id\n"
    "  SET 'state.dir' = 'DIR';            checkpoints for the jobs started after it\n"
    "Leaving stops the running jobs.\n";

/* The shell's state. */
typedef struct repl {
    eddy_shell_session *session; /* executes statements */
    eddy_strbuf buf;             /* text of the statement(s) being gathered */
    int buf_line;                /* input line where buf starts (1-based; for messages) */
    int line_no;                 /* input lines read so far */
    bool interactive;            /* stdin is a terminal: libedit, prompts, history */
    int nfailed;                 /* statements that failed */
    EditLine *el;                /* libedit, when interactive */
    History *hist;               /* its history, when interactive */
    char *hist_path;             /* ~/.eddy_history, or NULL when there is no home */
} repl;

/* What the gathered text is. */
typedef enum buf_state {
    BUF_EMPTY,      /* nothing but white space and comments */
    BUF_INCOMPLETE, /* a statement goes on: read another line */
    BUF_COMPLETE,   /* ends a statement: run it */
} buf_state;

/* ---------------------------------------------------------------------------------------- */
/* Deciding whether the buffer holds complete statements                                     */

/* Byte offset of (line, col) in text, or len when past its end. */
static size_t offset_of(const char *text, size_t len, int line, int col)
{
    size_t off = 0;
    for (int l = 1; l < line && off < len; off++)
        if (text[off] == '\n') l++;
    off += (size_t)(col > 0 ? col - 1 : 0);
    return off < len ? off : len;
}

/* A lexer error that more text could mend: an open string, quoted name, comment or hint. */
static bool lex_error_is_open(const char *text, size_t len, const eddy_error *err)
{
    size_t off = offset_of(text, len, err->line, err->col);
    if (off >= len) return true; /* hint still open at the end */
    char c = text[off];
    return c == '\'' || c == '"' || c == '`' || (c == '/' && off + 1 < len && text[off + 1] == '*');
}

/* Decides what text is. When it is BUF_COMPLETE, either *out is its parsed script or err holds
 * the error to show (a parse that failed before the end, or a byte that starts no token). */
static buf_state statement_state(const char *text, size_t len, eddy_script **out, eddy_error *err)
{
    eddy_lexer lx;
    eddy_token tok, last = {0};
    bool any = false;
    *out = NULL;
    eddy_error_clear(err);
    eddy_lexer_init(&lx, text, len);
    for (;;) {
        if (eddy_lexer_next(&lx, &tok, err) != 0) {
            /* an open string or comment goes on; any other bad byte is an error to show now */
            return lex_error_is_open(text, len, err) ? BUF_INCOMPLETE : BUF_COMPLETE;
        }
        if (tok.type == 0) break;
        last = tok;
        any = true;
    }
    if (!any) return BUF_EMPTY;
    if (!(last.n == 1 && last.z[0] == ';')) return BUF_INCOMPLETE;

    /* ends with ';': complete unless the parse fails only after that ';' (at the end) */
    if (eddy_parse(text, len, out, err) == 0) return BUF_COMPLETE;
    size_t at = offset_of(text, len, err->line, err->col);
    return at > (size_t)last.pos.off ? BUF_INCOMPLETE : BUF_COMPLETE;
}

/* ---------------------------------------------------------------------------------------- */
/* Running what was gathered                                                                 */

/* Prints a parse error of the buffer: on a terminal relative to the statement, from a script
 * as "stdin: line L" counted over the whole input. */
static void report(repl *r, const eddy_error *err, const char *text)
{
    if (r->interactive || err->line <= 0) {
        eddy_sqlfile_report(NULL, err, text);
        return;
    }
    eddy_error shifted = *err;
    shifted.line = err->line + r->buf_line - 1;
    char head[EDDY_ERROR_MSG_MAX + 64], full[4096];
    eddy_error_render(&shifted, NULL, head, sizeof head);
    eddy_error_render(err, text, full, sizeof full);
    const char *caret = strchr(full, '\n'); /* the line and caret, after the header */
    fprintf(stderr, "stdin: %s%s\n", head, caret ? caret : "");
}

/* Hands the statements of script s to the session, or shows err when s is NULL; the session
 * adopts s (views defined in it point into it). */
static void run_script(repl *r, eddy_script *s, const eddy_error *err)
{
    if (!s) {
        report(r, err, eddy_strbuf_cstr(&r->buf));
        r->nfailed++;
        return;
    }
    eddy_shell_adopt(r->session, s);
    for (int i = 0; i < s->n; i++)
        if (eddy_shell_execute(r->session, s, s->stmts[i]) != EDDY_EXIT_OK) r->nfailed++;
}

/* Adds the gathered statement to the history, on one line. */
static void remember(repl *r)
{
    if (!r->hist || r->buf.n == 0) return;
    char *line = eddy_xstrdup(eddy_strbuf_cstr(&r->buf));
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
        line[--n] = 0;
    for (char *p = line; *p; p++)
        if (*p == '\n') *p = ' ';
    HistEvent ev;
    history(r->hist, &ev, H_ENTER, line);
    if (r->hist_path) history(r->hist, &ev, H_SAVE, r->hist_path);
    free(line);
}

/* Runs (or reports) what the buffer held and empties it. */
static void finish_buffer(repl *r, eddy_script *s, const eddy_error *err)
{
    remember(r);
    run_script(r, s, err);
    eddy_strbuf_clear(&r->buf);
}

/* At the end of the input: the last statement may lack its ';'. */
static void finish_rest(repl *r)
{
    if (r->buf.n == 0) return;
    eddy_script *s = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    eddy_parse(r->buf.s, r->buf.n, &s, &err);
    finish_buffer(r, s, &err);
}

/* A shell command typed on an empty buffer: help, quit, exit (with or without ';'). Returns 1
 * to go on, 0 to leave, -1 when the line is no shell command. */
static int shell_command(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strcspn(line, " \t\r\n;");
    const char *rest = line + n;
    while (*rest == ' ' || *rest == '\t' || *rest == ';' || *rest == '\r' || *rest == '\n')
        rest++;
    if (*rest) return -1;
    if ((n == 4 && strncasecmp(line, "quit", 4) == 0) ||
        (n == 4 && strncasecmp(line, "exit", 4) == 0) || (n == 2 && strncmp(line, "\\q", 2) == 0))
        return 0;
    if ((n == 4 && strncasecmp(line, "help", 4) == 0) || (n == 2 && strncmp(line, "\\?", 2) == 0)) {
        fputs(repl_help, stdout);
        fflush(stdout);
        return 1;
    }
    return -1;
}

/* Takes one input line (with or without its '\n'). Returns false when the shell should end. */
static bool feed_line(repl *r, const char *line)
{
    r->line_no++;
    if (r->buf.n == 0) {
        int c = shell_command(line);
        if (c == 0) return false;
        if (c == 1) return true;
        r->buf_line = r->line_no;
    }
    eddy_strbuf_puts(&r->buf, line);
    if (r->buf.n == 0 || r->buf.s[r->buf.n - 1] != '\n') eddy_strbuf_putc(&r->buf, '\n');
    eddy_script *script;
    eddy_error err;
    switch (statement_state(r->buf.s, r->buf.n, &script, &err)) {
    case BUF_EMPTY:
        eddy_strbuf_clear(&r->buf);
        break;
    case BUF_INCOMPLETE:
        break;
    case BUF_COMPLETE:
        finish_buffer(r, script, &err);
        break;
    }
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Terminal input through libedit                                                            */

static volatile sig_atomic_t interrupted; /* Ctrl-C seen while reading */
static volatile sig_atomic_t terminated;  /* SIGTERM (or SIGINT from a script): leave */

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void on_terminate(int sig)
{
    (void)sig;
    terminated = 1;
}

/* Installs handler for sig without SA_RESTART, so that a blocked read() returns EINTR. */
static void catch_signal(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* libedit's character reader, replaced so that Ctrl-C ends el_gets() at once (libedit's own
 * reader retries a read() interrupted by a signal). Decodes one multibyte character. */
static int read_char(EditLine *el, wchar_t *wc)
{
    (void)el;
    char bytes[MB_LEN_MAX];
    size_t n = 0;
    for (;;) {
        if (interrupted || terminated) {
            errno = EINTR;
            return -1;
        }
        ssize_t got = read(STDIN_FILENO, bytes + n, 1);
        if (got == 0) return 0;
        if (got < 0) {
            if (errno == EINTR) continue; /* a resize or our flag: look again */
            return -1;
        }
        n++;
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t k = mbrtowc(wc, bytes, n, &st);
        if (k == (size_t)-2 && n < sizeof bytes) continue; /* more bytes to come */
        if (k == (size_t)-1 || k == (size_t)-2) *wc = (unsigned char)bytes[0]; /* not UTF-8 */
        return 1;
    }
}

static char *prompt(EditLine *el)
{
    repl *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    return (char *)(r && r->buf.n > 0 ? "   -> " : "eddy> ");
}

static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home) return NULL;
    size_t n = strlen(home) + sizeof HISTORY_FILE + 2;
    char *p = eddy_xmalloc(n);
    snprintf(p, n, "%s/%s", home, HISTORY_FILE);
    return p;
}

static void terminal_open(repl *r)
{
    setlocale(LC_CTYPE, "");
    HistEvent ev;
    r->hist = history_init();
    history(r->hist, &ev, H_SETSIZE, HISTORY_SIZE);
    history(r->hist, &ev, H_SETUNIQUE, 1);
    r->hist_path = history_path();
    if (r->hist_path) history(r->hist, &ev, H_LOAD, r->hist_path); /* absent the first time */

    r->el = el_init("eddy", stdin, stdout, stderr);
    el_set(r->el, EL_CLIENTDATA, r);
    el_set(r->el, EL_PROMPT, prompt);
    el_set(r->el, EL_EDITOR, "emacs");
    el_set(r->el, EL_HIST, history, r->hist);
    el_set(r->el, EL_SIGNAL, 1); /* terminal back to normal on Ctrl-Z, resize handled */
    el_set(r->el, EL_GETCFN, read_char);
    el_source(r->el, NULL); /* ~/.editrc, as other libedit programs */

    catch_signal(SIGINT, on_sigint);
    catch_signal(SIGTERM, on_terminate);
}

static void terminal_close(repl *r)
{
    if (r->el) el_end(r->el);
    if (r->hist) history_end(r->hist);
    free(r->hist_path);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

static void loop_terminal(repl *r)
{
    printf("eddy %s: SQL statements end with ';'. 'help' for help, 'quit' or Ctrl-D to leave.\n",
           EDDY_VERSION);
    for (;;) {
        int count = 0;
        interrupted = 0;
        const char *line = el_gets(r->el, &count);
        if (terminated) {
            fputc('\n', stdout);
            break; /* the statement being typed is dropped */
        }
        if (interrupted) {
            /* Ctrl-C: drop what was being typed, start afresh */
            el_reset(r->el);
            eddy_strbuf_clear(&r->buf);
            fputs("^C\n", stdout);
            continue;
        }
        if (!line || count <= 0) {
            /* Ctrl-D: run a statement left without ';', then leave */
            fputc('\n', stdout);
            finish_rest(r);
            break;
        }
        if (!feed_line(r, line)) break;
    }
}

static void loop_stream(repl *r, FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    /* a signal ends getline() (EINTR) and the session, with the statement being read dropped */
    catch_signal(SIGINT, on_terminate);
    catch_signal(SIGTERM, on_terminate);
    while (!terminated && getline(&line, &cap, in) >= 0) {
        if (!feed_line(r, line)) break;
    }
    free(line);
    if (!terminated) finish_rest(r);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

int eddy_cmd_repl(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return eddy_cli_print_help("repl");
        return eddy_cli_usage_error("repl",
                                    "'repl' takes no argument, got '%s' (to run a file: "
                                    "eddy run FILE)",
                                    argv[i]);
    }
    repl r;
    memset(&r, 0, sizeof r);
    r.interactive = isatty(STDIN_FILENO);
    r.session = eddy_shell_session_new(stdout);
    eddy_shell_session_set_name(r.session, "stdin");
    eddy_shell_session_set_interactive(r.session, r.interactive);
    eddy_shell_session_set_background(r.session, true);
    if (r.interactive) {
        terminal_open(&r);
        loop_terminal(&r);
        terminal_close(&r);
    } else {
        loop_stream(&r, stdin);
    }
    eddy_shell_session_stop_jobs(r.session); /* last checkpoints; then they are waited for */
    eddy_shell_session_free(r.session);
    eddy_strbuf_free(&r.buf);
    if (!r.interactive && r.nfailed > 0) return EDDY_EXIT_QUERY;
    return EDDY_EXIT_OK;
}
