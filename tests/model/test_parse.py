"""parse_dockerfile: instructions, line spans, heredocs, directives and problems on tiny Dockerfiles."""
from __future__ import annotations

import random
import time

from nodeguard.model.parse import MAX_BYTES, key_values, parse_dockerfile


def parse(text: str | bytes):
    return parse_dockerfile("Dockerfile", text.encode() if isinstance(text, str) else text)


def spans(parsed) -> list[tuple[str, int, int]]:
    return [(i.keyword, i.start_line, i.end_line) for i in parsed.instructions]


def messages(parsed) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in parsed.problems]


def test_plain_instructions_have_keywords_lines_and_args():
    parsed = parse("FROM node:22\nWORKDIR /app\nRUN npm ci\n")
    assert spans(parsed) == [("FROM", 1, 1), ("WORKDIR", 2, 2), ("RUN", 3, 3)]
    assert [i.args for i in parsed.instructions] == ["node:22", "/app", "npm ci"]
    assert parsed.problems == ()
    assert parsed.path == "Dockerfile"


def test_lines_and_original_keep_the_source_text():
    parsed = parse("FROM node:22\nRUN npm ci \\\n    --omit=dev\n")
    assert parsed.lines == ("FROM node:22", "RUN npm ci \\", "    --omit=dev")
    assert parsed.instructions[1].original == "RUN npm ci \\\n    --omit=dev"


def test_heredoc_body_belongs_to_its_run():
    parsed = parse("FROM node:22\nRUN <<EOF\nnpm ci\nFROM fake\nEOF\nUSER node\n")
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 5), ("USER", 6, 6)]
    run = parsed.instructions[1]
    assert run.args == "<<EOF"
    assert len(run.heredocs) == 1
    heredoc = run.heredocs[0]
    assert (heredoc.name, heredoc.body, heredoc.start_line, heredoc.end_line) == ("EOF", "npm ci\nFROM fake\n", 3, 5)
    assert (heredoc.quoted, heredoc.strip_tabs) == (False, False)
    assert run.original == "RUN <<EOF\nnpm ci\nFROM fake\nEOF"


def test_copy_heredoc_keeps_the_destination_in_args():
    parsed = parse("FROM node:22\nCOPY <<EOT /app/.npmrc\nfund=false\nEOT\n")
    copy = parsed.instructions[1]
    assert (copy.start_line, copy.end_line, copy.args) == (2, 4, "<<EOT /app/.npmrc")
    assert copy.heredocs[0].body == "fund=false\n"


def test_dash_heredoc_strips_leading_tabs_from_body_and_delimiter():
    parsed = parse("FROM node:22\nRUN <<-EOF\n\tnpm ci\n\t\techo  x\n\tEOF\nUSER node\n")
    assert spans(parsed)[1:] == [("RUN", 2, 5), ("USER", 6, 6)]
    heredoc = parsed.instructions[1].heredocs[0]
    assert heredoc.strip_tabs is True
    assert heredoc.body == "npm ci\necho  x\n"


def test_plain_heredoc_is_not_closed_by_an_indented_delimiter():
    parsed = parse("FROM node:22\nRUN <<EOF\necho\n\tEOF\nEOF\n")
    assert spans(parsed)[1] == ("RUN", 2, 5)
    assert parsed.instructions[1].heredocs[0].body == "echo\n\tEOF\n"


def test_quoted_delimiters_mark_the_heredoc_quoted():
    parsed = parse('FROM node:22\nRUN <<"EOF"\necho $HOME\nEOF\nCOPY <<\'EOT\' /x\ny\nEOT\nRUN <<PLAIN\nz\nPLAIN\n')
    heredocs = [i.heredocs[0] for i in parsed.instructions[1:]]
    assert [(h.name, h.quoted) for h in heredocs] == [("EOF", True), ("EOT", True), ("PLAIN", False)]
    assert heredocs[0].body == "echo $HOME\n"


def test_several_heredocs_on_one_line_are_read_in_order():
    parsed = parse("FROM node:22\nRUN <<A cat - <<B > /out\nfirst\nA\nsecond\nB\nUSER node\n")
    run = parsed.instructions[1]
    assert (run.start_line, run.end_line) == (2, 6)
    assert [(h.name, h.body, h.start_line, h.end_line) for h in run.heredocs] == [
        ("A", "first\n", 3, 4),
        ("B", "second\n", 5, 6),
    ]
    assert spans(parsed)[2] == ("USER", 7, 7)


def test_heredoc_may_start_on_a_continued_line():
    parsed = parse("FROM node:22\nRUN --mount=type=cache,target=/root/.npm \\\n    <<EOF\nnpm ci\nEOF\nUSER node\n")
    run = parsed.instructions[1]
    assert (run.start_line, run.end_line) == (2, 5)
    assert run.heredocs[0].body == "npm ci\n"
    assert run.flags == ("--mount=type=cache,target=/root/.npm",)


def test_heredoc_body_lines_ending_in_backslash_do_not_continue():
    parsed = parse("FROM node:22\nRUN <<EOF\napt-get install \\\n  curl\nEOF\nUSER node\n")
    assert spans(parsed)[1:] == [("RUN", 2, 5), ("USER", 6, 6)]
    assert parsed.instructions[1].heredocs[0].body == "apt-get install \\\n  curl\n"


def test_heredoc_markers_in_quotes_exec_form_or_other_instructions_are_text():
    parsed = parse('FROM node:22\nRUN echo "<<EOF"\nRUN ["sh", "-c", "cat <<EOF"]\nENV A=<<EOF\nUSER node\n')
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 2), ("RUN", 3, 3), ("ENV", 4, 4), ("USER", 5, 5)]
    assert all(not i.heredocs for i in parsed.instructions)


def test_onbuild_run_heredoc():
    parsed = parse("FROM node:22\nONBUILD RUN <<EOF\nnpm run build\nEOF\nUSER node\n")
    onbuild = parsed.instructions[1]
    assert (onbuild.keyword, onbuild.start_line, onbuild.end_line, onbuild.args) == ("ONBUILD", 2, 4, "RUN <<EOF")
    assert onbuild.heredocs[0].body == "npm run build\n"


def test_unterminated_heredoc_runs_to_the_end_with_a_problem():
    parsed = parse("FROM node:22\nRUN <<EOF\nnpm ci\nUSER node\n")
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 4)]
    assert parsed.instructions[1].heredocs == ()
    assert len(parsed.problems) == 1
    assert parsed.problems[0].line == 2
    assert "unterminated heredoc" in parsed.problems[0].message


def test_escape_directive_makes_backtick_the_continuation():
    parsed = parse("# escape=`\nFROM windows\nRUN dir C:\\ `\n    && echo ok\nWORKDIR C:\\app\\\nUSER node\n")
    assert parsed.directives == {"escape": "`"}
    assert spans(parsed) == [("FROM", 2, 2), ("RUN", 3, 4), ("WORKDIR", 5, 5), ("USER", 6, 6)]
    assert parsed.instructions[1].args == "dir C:\\     && echo ok"
    assert parsed.instructions[2].args == "C:\\app\\"


def test_directives_are_recorded_until_the_first_other_line():
    parsed = parse("# syntax=docker/dockerfile:1.7\n#check = skip=JSONArgsRecommended\nFROM node:22\n")
    assert parsed.directives == {"syntax": "docker/dockerfile:1.7", "check": "skip=JSONArgsRecommended"}
    assert parsed.instructions[0].comments_above == ()


def test_directives_after_a_blank_line_comment_or_instruction_do_not_count():
    after_blank = parse("\n# escape=`\nFROM node:22\nRUN a `\nUSER node\n")
    assert after_blank.directives == {}
    assert spans(after_blank)[1:] == [("RUN", 4, 4), ("USER", 5, 5)]
    after_comment = parse("# hello\n# syntax=docker/dockerfile:1\nFROM node:22\n")
    assert after_comment.directives == {}
    assert after_comment.instructions[0].comments_above == ("hello", "syntax=docker/dockerfile:1")
    after_instruction = parse("FROM node:22\n# escape=`\n")
    assert after_instruction.directives == {}
    after_unknown_directive = parse("# foo=bar\n# escape=`\nFROM node:22\n")
    assert after_unknown_directive.directives == {}
    assert after_unknown_directive.instructions[0].comments_above == ("foo=bar", "escape=`")


def test_repeated_or_invalid_directives_are_problems():
    repeated = parse("# escape=`\n# escape=\\\nFROM node:22\nRUN a `\n  b\n")
    assert repeated.directives == {"escape": "`"}
    assert messages(repeated) == [(2, "only one escape parser directive can be used")]
    invalid = parse("# escape=x\nFROM node:22\n")
    assert invalid.directives == {}
    assert invalid.problems[0].line == 1 and "invalid escape character" in invalid.problems[0].message


def test_crlf_line_endings():
    parsed = parse(b"FROM node:22\r\nRUN npm ci \\\r\n  --omit=dev\r\nRUN <<EOF\r\necho hi\r\nEOF\r\n")
    assert parsed.lines == ("FROM node:22", "RUN npm ci \\", "  --omit=dev", "RUN <<EOF", "echo hi", "EOF")
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 3), ("RUN", 4, 6)]
    assert parsed.instructions[1].args == "npm ci   --omit=dev"
    assert parsed.instructions[2].heredocs[0].body == "echo hi\n"
    assert parsed.problems == ()


def test_cr_only_line_endings_are_split_and_reported():
    parsed = parse(b"FROM node:22\rRUN npm ci\rUSER node\r")
    assert parsed.lines == ("FROM node:22", "RUN npm ci", "USER node")
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 2), ("USER", 3, 3)]
    assert len(parsed.problems) == 1 and "CR only" in parsed.problems[0].message


def test_missing_final_newline():
    parsed = parse("FROM node:22\nCMD node app.js")
    assert parsed.lines == ("FROM node:22", "CMD node app.js")
    assert spans(parsed)[-1] == ("CMD", 2, 2)
    assert parsed.instructions[-1].args == "node app.js"


def test_utf8_bom_is_dropped():
    parsed = parse(b"\xef\xbb\xbfFROM node:22\nUSER node\n")
    assert parsed.lines[0] == "FROM node:22"
    assert spans(parsed) == [("FROM", 1, 1), ("USER", 2, 2)]
    assert parsed.problems == ()


def test_lower_and_mixed_case_keywords_are_upper_cased():
    parsed = parse("from node:22 as build\nRun npm ci\ncopy --FROM=build /a /b\n")
    assert [i.keyword for i in parsed.instructions] == ["FROM", "RUN", "COPY"]
    assert parsed.instructions[2].flags == ("--FROM=build",)
    assert parsed.problems == ()


def test_continuation_drops_comment_and_blank_lines_from_args():
    parsed = parse("FROM node:22\nRUN apk add \\\n    # toolchain\n    python3 \\\n\n    make\nUSER node\n")
    run = parsed.instructions[1]
    assert (run.start_line, run.end_line) == (2, 6)
    assert run.args == "apk add     python3     make"
    assert "# toolchain" in run.original
    assert parsed.instructions[2].comments_above == ()


def test_doubled_escape_at_line_end_does_not_continue():
    parsed = parse("FROM node:22\nRUN echo a\\\\\nUSER node\n")
    assert spans(parsed)[1:] == [("RUN", 2, 2), ("USER", 3, 3)]
    assert parsed.instructions[1].args == "echo a\\\\"


def test_from_flags_and_stage_name():
    parsed = parse("FROM --platform=$BUILDPLATFORM node:22-alpine AS build\n")
    from_ = parsed.instructions[0]
    assert from_.flags == ("--platform=$BUILDPLATFORM",)
    assert from_.args == "node:22-alpine AS build"
    assert from_.flag("platform") == "$BUILDPLATFORM"
    assert from_.flag("chown") is None


def test_run_mount_and_network_flags():
    parsed = parse("FROM node:22\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc --network=none npm ci\n")
    run = parsed.instructions[1]
    assert run.flags == ("--mount=type=secret,id=npmrc,target=/root/.npmrc", "--network=none")
    assert run.args == "npm ci"
    assert run.flag("network") == "none"
    assert run.flag("mount") == "type=secret,id=npmrc,target=/root/.npmrc"


def test_flag_quotes_are_resolved_and_double_dash_ends_flags():
    parsed = parse('FROM node:22\nCOPY --chown="node:node" --link -- --weird /app\n')
    copy = parsed.instructions[1]
    assert copy.flags == ("--chown=node:node", "--link")
    assert copy.flag("link") == ""
    assert copy.args == "--weird /app"


def test_exec_and_shell_forms():
    parsed = parse('FROM node:22\nCMD ["node", "app.js"]\nENTRYPOINT node app.js\n'
                   'SHELL ["/bin/bash", "-c"]\nRUN ["npm", "ci"]\nRUN npm ci\nCMD [node, app.js]\n')
    forms = [(i.keyword, i.json_args) for i in parsed.instructions[1:]]
    assert forms == [
        ("CMD", ("node", "app.js")),
        ("ENTRYPOINT", None),
        ("SHELL", ("/bin/bash", "-c")),
        ("RUN", ("npm", "ci")),
        ("RUN", None),
        ("CMD", None),
    ]
    assert parsed.instructions[1].is_exec_form and not parsed.instructions[2].is_exec_form
    assert parsed.problems == ()


def test_json_form_after_flags_and_on_other_instructions():
    parsed = parse('FROM node:22\nRUN --network=none ["npm", "ci"]\nUSER ["node"]\nCMD []\n')
    assert parsed.instructions[1].json_args == ("npm", "ci")
    assert parsed.instructions[2].json_args is None
    assert parsed.instructions[3].json_args == ()


def test_json_array_of_non_strings_is_a_problem():
    parsed = parse('FROM node:22\nCMD ["node", 1]\nUSER node\n')
    assert parsed.instructions[1].json_args is None
    assert parsed.problems[0].line == 2 and "only strings" in parsed.problems[0].message
    assert spans(parsed)[2] == ("USER", 3, 3)


def test_comments_above_are_the_contiguous_comment_lines():
    parsed = parse("# about the base\nFROM node:22\n# stray\n\n#  nodeguard ignore=NG101 -- reason  \n"
                   "#\n# second\nRUN npm ci\nUSER node\n")
    assert parsed.instructions[0].comments_above == ("about the base",)
    assert parsed.instructions[1].comments_above == ("nodeguard ignore=NG101 -- reason", "", "second")
    assert parsed.instructions[2].comments_above == ()


def test_empty_and_comment_only_files_have_no_instructions():
    for text in ("", "\n\n", "# just a comment\n"):
        parsed = parse(text)
        assert parsed.instructions == ()
        assert len(parsed.problems) == 1 and "no instructions" in parsed.problems[0].message


def test_binary_data_is_one_problem_and_no_instructions():
    parsed = parse(b"FROM node\x00\x01\x02\nRUN x\n")
    assert parsed.instructions == ()
    assert len(parsed.problems) == 1 and "NUL" in parsed.problems[0].message


def test_non_utf8_text_is_decoded_with_a_problem_naming_the_line():
    parsed = parse(b"FROM node:22\nLABEL maintainer=caf\xe9\nUSER node\n")
    assert spans(parsed) == [("FROM", 1, 1), ("LABEL", 2, 2), ("USER", 3, 3)]
    assert parsed.instructions[1].args == "maintainer=caf\ufffd"
    assert messages(parsed) == [(2, "line 2 is not valid UTF-8; its bad bytes were replaced")]


def test_oversized_file_is_skipped_quickly():
    data = b"FROM node:22\n" + b"RUN echo hello world\n" * (10 * 1024 * 1024 // 21)
    started = time.perf_counter()
    parsed = parse(data)
    assert time.perf_counter() - started < 0.5
    assert parsed.instructions == ()
    assert len(parsed.problems) == 1 and "larger than" in parsed.problems[0].message


def test_large_file_under_the_limit_parses_in_linear_time():
    line = b"RUN echo hello world && npm ci \\\n    --omit=dev\n"
    data = b"FROM node:22\n" + line * ((MAX_BYTES - 100) // len(line))
    started = time.perf_counter()
    parsed = parse(data)
    assert time.perf_counter() - started < 10
    assert len(parsed.instructions) == 1 + (MAX_BYTES - 100) // len(line)
    assert parsed.problems == ()


def test_long_pathological_lines_stay_fast():
    data = (b"# escape=" + b" " * 30_000 + b"x\nFROM node:22\nCMD " + b"[" * 60_000 + b"\n"
            + b"RUN " + b"<<a " * 15_000 + b"--x\n" + b"\\ " * 30_000)  # just under MAX_BYTES
    started = time.perf_counter()
    parsed = parse(data)
    assert time.perf_counter() - started < 5
    assert spans(parsed) == [("FROM", 2, 2), ("CMD", 3, 3), ("RUN", 4, 5)]
    assert parsed.instructions[1].json_args is None
    assert [p.line for p in parsed.problems] == [1, 4]


def test_trailing_continuation_at_end_of_file_is_accepted_as_buildkit_does():
    parsed = parse("FROM node:22\nRUN npm ci \\\n")
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 2)]
    assert parsed.instructions[1].args == "npm ci"
    assert parsed.problems == ()


def test_missing_from_is_a_problem():
    parsed = parse("ARG NODE_VERSION=22\nRUN npm ci\n")
    assert spans(parsed) == [("ARG", 1, 1), ("RUN", 2, 2)]
    assert messages(parsed) == [(1, "no FROM instruction: there is no stage to build")]


def test_unknown_instruction_is_a_problem_and_parsing_goes_on():
    parsed = parse("FROM node:22\nINSTALL deps\nRUN npm ci\n")
    assert spans(parsed) == [("FROM", 1, 1), ("INSTALL", 2, 2), ("RUN", 3, 3)]
    assert messages(parsed) == [(2, "unknown instruction 'INSTALL'")]


def test_garbage_never_raises():
    seed_text = (b"# escape=`\nFROM --platform=x node AS b\nRUN <<-EOF cat <<'B' \\\n\tx\n\tEOF\nB\n"
                 b"CMD [\"a\", 1]\nCOPY --chown=\"a b /c\nONBUILD RUN <<\"\" \\\r\n\xff\xfe`\n")
    generator = random.Random(1234)
    for _ in range(300):
        data = bytearray(seed_text)
        for _ in range(generator.randint(1, 8)):
            data[generator.randrange(len(data))] = generator.choice(b"\n\r\\`\"'<-# \tA\x00\xc3")
        parsed = parse(bytes(data))
        assert parsed.instructions or parsed.problems


def pairs(line: str):
    return key_values(parse(f"FROM node:22\n{line}\n").instructions[1])


def test_key_values_in_modern_and_legacy_forms():
    assert pairs('ENV NODE_ENV=production PORT="3000" NAME="a b"') == [
        ("NODE_ENV", "production"), ("PORT", "3000"), ("NAME", "a b")]
    assert pairs("ENV NODE_ENV production") == [("NODE_ENV", "production")]
    assert pairs("ARG NPM_TOKEN") == [("NPM_TOKEN", None)]


def test_legacy_env_and_label_values_lose_their_quotes_and_escapes():
    assert pairs('ENV NODE_ENV "production"') == [("NODE_ENV", "production")]
    assert pairs("ENV NODE_ENV 'production'") == [("NODE_ENV", "production")]
    assert pairs(r"ENV GREETING hello\ world") == [("GREETING", "hello world")]
    assert pairs(r'LABEL description "a \"quoted\" word"') == [("description", 'a "quoted" word')]
    assert pairs("ENV MESSAGE some words kept") == [("MESSAGE", "some words kept")]


def test_a_tab_separates_a_legacy_key_from_its_value():
    assert pairs("ENV NODE_ENV\tproduction") == [("NODE_ENV", "production")]
    assert pairs("ENV NODE_ENV \t production") == [("NODE_ENV", "production")]


def test_modern_values_resolve_quotes_and_escapes_as_buildkit_does():
    assert pairs(r"ENV A=value\ value2 B='single $X' C=\"x\"") == [
        ("A", "value value2"), ("B", "single $X"), ("C", '"x"')]
    assert pairs(r'ENV A="a\nb" B="c\\d"') == [("A", r"a\nb"), ("B", "c\\d")]


def test_arg_with_several_words_declares_several_arguments():
    assert pairs("ARG BUILD_DATE NPM_TOKEN") == [("BUILD_DATE", None), ("NPM_TOKEN", None)]
    assert pairs("ARG A B=c") == [("A", None), ("B", "c")]
    assert pairs('ARG abc="123 456" def') == [("abc", "123 456"), ("def", None)]


def test_legacy_env_is_one_pair_even_when_the_value_holds_an_equals_sign():
    assert pairs("ENV A B=c") == [("A", "B=c")]


def test_files_buildkit_refuses_for_their_arguments_are_problems():
    cases = {
        "ENV PATH": "ENV PATH has no value",
        "ENV a=1 b": "ENV: no = in 'b'",
        "LABEL": "LABEL requires at least one argument",
        "ENV =x": "ENV names can not be blank",
        "ARG =x": "ARG names can not be blank",
        "HEALTHCHECK CMD [1]": "HEALTHCHECK: a JSON array here must hold only strings",
        "ONBUILD ENV PATH": "ENV PATH has no value",
    }
    for line, message in cases.items():
        parsed = parse(f"FROM node:22\n{line}\n")
        assert [(p.line, p.message[:len(message)]) for p in parsed.problems] == [(2, message)], line


def test_arguments_buildkit_accepts_are_not_problems():
    for line in ("ENV A=", "ENV A B", 'ENV A=""', "LABEL a=b c=d", "ARG A B=c", "HEALTHCHECK CMD [\"a\"]",
                 "HEALTHCHECK NONE", "HEALTHCHECK CMD curl -f http://x/ || exit 1", "ONBUILD RUN npm ci"):
        assert parse(f"FROM node:22\n{line}\n").problems == (), line


def test_refused_env_still_reads_what_it_can():
    assert pairs("ENV a=1 b") == [("a", "1")]


def test_heredoc_with_spaces_after_the_angle_brackets():
    parsed = parse("FROM node:22\nRUN << EOF\nnpm ci\nEOF\nCOPY <<  EOF /x\nhello\nEOF\nUSER node\n")
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 4), ("COPY", 5, 7), ("USER", 8, 8)]
    assert [h.body for i in parsed.instructions for h in i.heredocs] == ["npm ci\n", "hello\n"]
    assert parsed.problems == ()


def test_double_angle_brackets_inside_quotes_open_no_heredoc():
    parsed = parse("FROM node:22\nRUN echo '<< EOF'\nUSER node\n")
    assert spans(parsed) == [("FROM", 1, 1), ("RUN", 2, 2), ("USER", 3, 3)]


def test_syntax_and_check_directives_below_a_shebang():
    parsed = parse("#!/usr/bin/env buildctl\n# syntax=docker/dockerfile:1\n# check=skip=all\nFROM node:22\n")
    assert parsed.directives == {"syntax": "docker/dockerfile:1", "check": "skip=all"}
    assert parsed.instructions[0].comments_above == ()


def test_no_escape_directive_below_a_shebang_as_buildkit_reads_it():
    parsed = parse("#!/bin/sh\n# escape=`\nFROM node:22\nRUN a \\\n  b\n")
    assert parsed.directives == {}
    assert spans(parsed) == [("FROM", 3, 3), ("RUN", 4, 5)]


def test_directives_after_a_shebang_and_a_blank_line_are_comments():
    assert parse("#!/bin/sh\n\n# syntax=x\nFROM node:22\n").directives == {}
