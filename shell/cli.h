/*
 * cli.h: what the eddy program's commands share: exit codes, the command table, argument
 * parsing for commands that take a SQL file, and usage errors.
 *
 * Every command is a function `int cmd(int argc, char **argv)` that gets the arguments after
 * its own name (argv[0] is the command name) and returns one of the exit codes below. A command
 * never calls exit(); main() returns what the command returned.
 *
 * Exit codes are a contract with scripts (docs/cli.md):
 *   0  done
 *   1  query error: the SQL does not lex, parse or bind
 *   2  usage: unknown command or option, missing argument, unreadable file, unfilled ${NAME}
 *   3  runtime failure: the query was valid but could not be run to the end
 *
 * Messages for the user go to stderr and start with "eddy: " (or with the file name for errors
 * in SQL text); each says what to do next where it can.
 */
#ifndef EDDY_SHELL_CLI_H
#define EDDY_SHELL_CLI_H

#include <stdbool.h>

enum {
    EDDY_EXIT_OK = 0,      /* done */
    EDDY_EXIT_QUERY = 1,   /* syntax or bind error in the SQL */
    EDDY_EXIT_USAGE = 2,   /* bad command line */
    EDDY_EXIT_RUNTIME = 3, /* valid query, failed while running (or cannot run yet) */
};

/* One subcommand of eddy. */
typedef struct eddy_command {
    const char *name;                   /* as typed: "parse" */
    const char *summary;                /* one line for `eddy help` */
    const char *help;                   /* full text for `eddy help NAME` and `eddy NAME --help` */
    int (*main)(int argc, char **argv); /* argv[0] is the name; returns an EDDY_EXIT_* code */
} eddy_command;

/* The table of commands, in the order `eddy help` lists them (commands.c). */
extern const eddy_command eddy_commands[];
extern const int eddy_ncommands;

/* The command called name, or NULL. */
const eddy_command *eddy_command_find(const char *name);

/* Entry points, one file each (cmd_*.c). */
int eddy_cmd_repl(int argc, char **argv);
int eddy_cmd_run(int argc, char **argv);
int eddy_cmd_explain(int argc, char **argv);
int eddy_cmd_parse(int argc, char **argv);
int eddy_cmd_kafka_mock(int argc, char **argv);
int eddy_cmd_version(int argc, char **argv);
int eddy_cmd_help(int argc, char **argv);

/* Prints the general help (the list of commands) to stdout. */
void eddy_cli_print_overview(void);

/* Prints "eddy: <message>" and "try 'eddy help [cmd]'" to stderr; returns EDDY_EXIT_USAGE.
 * cmd may be NULL for errors before a command is known. */
int eddy_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Flags a file command accepts besides -D and --help. */
enum {
    EDDY_CLI_TREE = 1 << 0, /* --tree (parse) */
    EDDY_CLI_RUN = 1 << 1,  /* --state-dir, --no-checkpoints, --savepoint-dir, --from-savepoint,
                             * --metrics-port (run) */
};

/* The arguments of a command that reads one SQL file: run, explain, parse. */
typedef struct eddy_cli_args {
    const char *file;        /* the FILE argument; "-" means standard input */
    const char **def_names;  /* -D NAME=VALUE: names (point into argv) */
    const char **def_values; /* ... and values (point into argv) */
    int ndefs;               /* number of -D given */
    bool help;               /* --help or -h was given */
    bool tree;               /* --tree was given */
    const char *state_dir;   /* --state-dir DIR (points into argv), or NULL */
    bool no_checkpoints;     /* --no-checkpoints was given */
    const char *savepoint_dir;  /* --savepoint-dir DIR, or NULL */
    const char *from_savepoint; /* --from-savepoint DIR, or NULL */
    const char *metrics_port;   /* --metrics-port P (run: digits, 0..65535), or NULL */
} eddy_cli_args;

/* Reads argv[1..argc) of command cmd into a (flags = the EDDY_CLI_* it accepts). Options may
 * stand before or after FILE; "--" ends them. An option with a value takes it as the next
 * argument or after '=' (--state-dir DIR, --state-dir=DIR); --no-checkpoints with any of the
 * three directory options is a usage error. Returns 0, or prints a usage error and returns
 * EDDY_EXIT_USAGE. With --help, a->help is set and FILE is not required. Free a with
 * eddy_cli_args_free. */
int eddy_cli_args_read(const char *cmd, int argc, char **argv, int flags, eddy_cli_args *a);
void eddy_cli_args_free(eddy_cli_args *a);

/* Prints the help text of command name to stdout; returns EDDY_EXIT_OK. */
int eddy_cli_print_help(const char *name);

#endif
