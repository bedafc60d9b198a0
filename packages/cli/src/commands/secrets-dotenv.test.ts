import { describe, expect, it } from "vitest";
import { TRICKY_VALUES } from "../test-support/tricky-values.js";
import { DotenvError, parseDotenv, quoteDotenv, serializeDotenv } from "./secrets-dotenv.js";

describe("parseDotenv", () => {
  it("reads the usual syntax: export, comments, quotes, escapes and multi-line values", () => {
    const text = [
      "# a comment",
      "",
      "export EXPORTED=yes",
      "PLAIN=value # trailing comment",
      "TIGHT=a#b",
      "  INDENTED = spaced  ",
      "SINGLE='literal \\n $HOME # kept'",
      'DOUBLE="tab\\tnewline\\nquote\\" backslash\\\\ other\\q"',
      'MULTI="first',
      'second"',
      'BACKTICK=`it\'s "both"`',
      "EMPTY=",
      "EMPTY_QUOTED=''",
      "SINGLE_MULTI='a",
      "b'",
      "DUP=first",
      "DUP=second",
      "windows=1\r",
    ].join("\n");
    expect(Object.fromEntries(parseDotenv(text))).toEqual({
      EXPORTED: "yes",
      PLAIN: "value",
      TIGHT: "a#b",
      INDENTED: "spaced",
      SINGLE: "literal \\n $HOME # kept",
      DOUBLE: 'tab\tnewline\nquote" backslash\\ other\\q',
      MULTI: "first\nsecond",
      BACKTICK: `it's "both"`,
      EMPTY: "",
      EMPTY_QUOTED: "",
      SINGLE_MULTI: "a\nb",
      DUP: "second",
      windows: "1",
    });
  });

  it("names the line it cannot read", () => {
    expect(() => parseDotenv("A=1\nB='open\nC=3")).toThrow(
      new DotenvError(2, "the value of B has no closing '"),
    );
    expect(() => parseDotenv("A=1\n\nnot a pair")).toThrow("line 3: expected = after not");
    expect(() => parseDotenv('A="x" trailing')).toThrow("line 1: unexpected text after the value");
    expect(() => parseDotenv("=value")).toThrow("line 1: expected NAME=value");
  });
});

describe("serializeDotenv", () => {
  it("round-trips every tricky value through parseDotenv", () => {
    const entries = Object.entries(TRICKY_VALUES);
    const text = serializeDotenv(entries, "exported by a test");
    expect(text.startsWith("# exported by a test\n")).toBe(true);
    expect(parseDotenv(text)).toEqual(entries);
  });

  it("round-trips random text", () => {
    const alphabet = [
      "a",
      "Z",
      "0",
      " ",
      "\t",
      "\n",
      "\r",
      '"',
      "'",
      "`",
      "\\",
      "#",
      "=",
      "$",
      "é",
      "🔑",
      "n",
      "r",
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 500; i++) {
      const length = Math.floor(random() * 12);
      const value = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      expect(parseDotenv(serializeDotenv([["V", value]]))).toEqual([["V", value]]);
    }
  });

  it("writes the plainest form", () => {
    expect(quoteDotenv("sk_live_123")).toBe("sk_live_123");
    expect(quoteDotenv("a b")).toBe("'a b'");
    expect(quoteDotenv("")).toBe("''");
    expect(quoteDotenv("it's")).toBe('"it\'s"');
    expect(quoteDotenv("a\nb")).toBe('"a\\nb"');
  });
});
