/*
 * cmd_parse.c: `eddy parse [-D NAME=VALUE]... [--tree] FILE`: checks a SQL file and prints
 * it back as normalized SQL (eddy_ast_print_script) or as the syntax tree's S-expressions
 * (eddy_ast_dump_stmt). It reads no catalog: it shows how eddy reads the text, nothing more.
 */
#include <stdio.h>

#include "cli.h"
#include "common/strbuf.h"
#include "sqlfile.h"

int eddy_cmd_parse(int argc, char **argv)
{
    eddy_cli_args args;
    int rc = eddy_cli_args_read("parse", argc, argv, EDDY_CLI_TREE, &args);
    if (rc != 0) return rc;
    if (args.help) {
        eddy_cli_args_free(&args);
        return eddy_cli_print_help("parse");
    }

    eddy_sqlfile f;
    eddy_script *script = NULL;
    rc = eddy_sqlfile_load(&args, &f);
    if (rc == 0) {
        rc = eddy_sqlfile_parse(&f, &script);
        eddy_sqlfile_free(&f);
    }
    eddy_cli_args_free(&args);
    if (rc != 0) return rc;

    eddy_strbuf out = {0};
    if (args.tree) {
        for (int i = 0; i < script->n; i++) {
            eddy_ast_dump_stmt(&out, script->stmts[i], false);
            eddy_strbuf_putc(&out, '\n');
        }
    } else {
        eddy_ast_print_script(&out, script);
    }
    fwrite(eddy_strbuf_cstr(&out), 1, out.n, stdout);
    eddy_strbuf_free(&out);
    eddy_script_free(script);
    if (fflush(stdout) != 0) {
        perror("eddy: writing the output");
        return EDDY_EXIT_RUNTIME;
    }
    return EDDY_EXIT_OK;
}
