/*
 * cmd_help.c: `eddy help [COMMAND]`: the list of commands, or the help of one.
 */
#include <string.h>

#include "cli.h"

int eddy_cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        eddy_cli_print_overview();
        return EDDY_EXIT_OK;
    }
    if (argc > 2) return eddy_cli_usage_error("help", "'help' takes one COMMAND at most");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return eddy_cli_print_help("help");
    return eddy_cli_print_help(argv[1]);
}
