/*
 * commands.c: the table of eddy's subcommands and their help texts (see cli.h).
 *
 * A new command is a file cmd_NAME.c with its entry point, a line in cli.h and a row here;
 * `eddy help` and `eddy NAME --help` then know it. docs/cli.md says the same in more words:
 * keep the two in step.
 */
#include "cli.h"

#include <string.h>

#define DEFINE_HELP                                                                                \
    "  -D, --define NAME=VALUE   fill every ${NAME} in FILE with VALUE (repeatable)\n"

static const char help_repl[] =
    "usage: eddy [repl]\n"
    "\n"
    "The interactive shell. Type SQL statements ending with ';'; a statement may span lines\n"
    "(the prompt '   -> ' continues one). History is kept in ~/.eddy_history.\n"
    "\n"
    "  help            this text\n"
    "  quit, exit      leave (so does Ctrl-D on an empty line)\n"
    "  Ctrl-C          drop the statement being typed\n"
    "\n"
    "When standard input is not a terminal, statements are read from it without prompts, an\n"
    "error does not stop the rest, and eddy exits 1 at the end if any statement failed:\n"
    "\n"
    "  printf 'SELECT 1;\\nSELECT 2;\\n' | eddy\n"
    "\n"
    "INSERT INTO and statement sets run in the background: SHOW JOBS, STOP JOB 'id'\n"
    "[WITH SAVEPOINT] (docs/repl.md); leaving the REPL stops them.\n";

static const char help_run[] =
    "usage: eddy run [-D NAME=VALUE]... [--state-dir DIR | --no-checkpoints]\n"
    "                [--savepoint-dir DIR] [--from-savepoint DIR] [--metrics-port P] FILE\n"
    "\n"
    "Runs the statements of FILE ('-' reads standard input): CREATE TABLE/VIEW, SET, and\n"
    "INSERT INTO or SELECT queries, each a job that runs until its sources end or eddy is\n"
    "stopped. Each job checkpoints its state into DIR/<job> and resumes from it when the same\n"
    "command runs again (after a crash or a stop). SIGINT/SIGTERM: a last checkpoint, then the\n"
    "run ends with exit code 0 (later jobs of FILE do not start).\n"
    "\n" DEFINE_HELP
    "      --state-dir DIR       keep job <job>'s state in DIR/<job> (default ./eddy-state, or\n"
    "                            SET 'state.dir'); <job> is 'pipeline.name', else FILE's name\n"
    "                            without .sql, then NAME-2, NAME-3 for later jobs\n"
    "      --no-checkpoints      no state and no recovery (a stop flushes the sinks)\n"
    "      --savepoint-dir DIR   on SIGINT/SIGTERM also write a savepoint to DIR/<job>\n"
    "      --from-savepoint DIR  start each job from the savepoint DIR/<job> (or DIR itself,\n"
    "                            when it is one job's savepoint)\n"
    "      --metrics-port P      serve Prometheus metrics at http://127.0.0.1:P/metrics while\n"
    "                            jobs run (0: a free port, said on stderr; or SET\n"
    "                            'eddy.metrics.port'; the address: SET 'eddy.metrics.address')\n"
    "  -h, --help                this text\n"
    "\n"
    "exit codes: 0 done or stopped, 1 query error, 2 usage error, 3 runtime or state failure\n"
    "example:    eddy run -D RATE=1000 sql/examples/tumble_revenue.sql\n"
    "see also:   docs/operations.md (checkpoints, recovery, savepoints), docs/metrics.md\n";

static const char help_explain[] =
    "usage: eddy explain [-D NAME=VALUE]... FILE\n"
    "\n"
    "Prints the plan of every query in FILE ('-' reads standard input) without running it.\n"
    "\n" DEFINE_HELP "  -h, --help                this text\n"
    "\n"
    "Today FILE is parsed and its errors reported; plans arrive with the planner, so\n"
    "'eddy explain' then stops with exit code 3 and says so.\n"
    "\n"
    "exit codes: 0 done, 1 query error, 2 usage error, 3 cannot plan yet\n";

static const char help_parse[] =
    "usage: eddy parse [-D NAME=VALUE]... [--tree] FILE\n"
    "\n"
    "Parses FILE ('-' reads standard input) and prints every statement back as normalized\n"
    "SQL, each ending with ';'. The output parses again to the same tree, so it is a way to\n"
    "check a file and to see how eddy reads it (keywords in upper case, precedence made\n"
    "explicit). Nothing is run and no catalog is read: names are not checked.\n"
    "\n" DEFINE_HELP
    "      --tree                print the syntax tree as S-expressions instead of SQL\n"
    "  -h, --help                this text\n"
    "\n"
    "exit codes: 0 parsed, 1 syntax error (with line, column and a caret), 2 usage error\n"
    "example:    eddy parse -D RATE=1000 sql/examples/tumble_revenue.sql\n";

static const char help_kafka_mock[] =
    "usage: eddy kafka-mock [--brokers N] [--topic NAME:PARTITIONS]... [--port P]\n"
    "\n"
    "Starts a local Kafka cluster (librdkafka's mock cluster) on 127.0.0.1 for trying eddy and\n"
    "for tests: no broker needs to be installed. The first line of output is the bootstrap\n"
    "address ('127.0.0.1:PORT', a comma-separated list with several brokers) for\n"
    "'properties.bootstrap.servers' or kcat -b. It runs until SIGINT or SIGTERM (Ctrl-C), then\n"
    "exits 0; the topics and their messages live in memory and are gone.\n"
    "\n"
    "      --brokers N             number of brokers, 1 to 32 (default 1)\n"
    "      --topic NAME:PARTITIONS create topic NAME with PARTITIONS partitions (repeatable;\n"
    "                              topics a client asks for are otherwise made on first use)\n"
    "      --port P                bootstrap on 127.0.0.1:P (a relay to the brokers, whose own\n"
    "                              ports librdkafka 2.0.2 picks: clients learn them from it)\n"
    "  -h, --help                  this text\n"
    "\n"
    "While it runs it reads commands on stdin, one per line, and answers each with one line\n"
    "('ok ...' or 'error ...') on stdout; EOF on stdin does not stop it:\n"
    "  down ID|all                 broker ID (1..N) stops serving (connections closed)\n"
    "  up ID|all                   it serves again\n"
    "  create NAME PARTITIONS      create a topic\n"
    "  leader TOPIC PARTITION ID   make broker ID the partition's leader\n"
    "  status                      'ok brokers=3 up=1,3 down=2 topics=ev:4'\n"
    "  help                        the list of commands\n"
    "\n"
    "exit codes: 0 stopped by a signal, 2 usage error (also: port P in use), 3 the cluster\n"
    "            could not be set up\n"
    "example:    eddy kafka-mock --topic bids:4\n"
    "see also:   docs/connectors/kafka.md (the mock's limits)\n";

static const char help_version[] =
    "usage: eddy version\n"
    "\n"
    "Prints eddy's version and those of the libraries it runs on (librdkafka, LMDB,\n"
    "libcurl): include them in a bug report. 'eddy --version' is the same.\n";

static const char help_help[] =
    "usage: eddy help [COMMAND]\n"
    "\n"
    "Lists eddy's commands, or tells about one ('eddy COMMAND --help' is the same).\n";

const eddy_command eddy_commands[] = {
    {"repl", "interactive SQL shell (the default)", help_repl, eddy_cmd_repl},
    {"run", "run the statements of a SQL file", help_run, eddy_cmd_run},
    {"explain", "print the plan of a SQL file's queries", help_explain, eddy_cmd_explain},
    {"parse", "check a SQL file and print it normalized", help_parse, eddy_cmd_parse},
    {"kafka-mock", "a local Kafka cluster for trying eddy", help_kafka_mock, eddy_cmd_kafka_mock},
    {"version", "versions of eddy and its libraries", help_version, eddy_cmd_version},
    {"help", "this list, or help on one command", help_help, eddy_cmd_help},
};
const int eddy_ncommands = (int)(sizeof eddy_commands / sizeof eddy_commands[0]);

const eddy_command *eddy_command_find(const char *name)
{
    for (int i = 0; i < eddy_ncommands; i++)
        if (strcmp(eddy_commands[i].name, name) == 0) return &eddy_commands[i];
    return NULL;
}
