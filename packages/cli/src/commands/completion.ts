import type { Command, Option } from "commander";
import type { Context } from "../context.js";
import { CliError, EXIT } from "../io.js";

/**
 * `keysmith completion bash|zsh|fish`: a completion script generated from the program's own
 * command tree (commander's `commands`, `options` and `argChoices`), so it never lists a
 * command the CLI lacks. Hand-written because commander has no completion generator and the
 * packages that add one (omelette, tabtab) install into shell rc files rather than print a script.
 */
export function completionCommand(program: Command, { io, act }: Context): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      "\nInstall:\n" +
        "  bash:  keysmith completion bash > ~/.local/share/bash-completion/completions/keysmith\n" +
        "         (or: source <(keysmith completion bash) in ~/.bashrc)\n" +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh expansion, not a template
        '  zsh:   keysmith completion zsh > "${fpath[1]}/_keysmith"   (or: source <(keysmith completion zsh))\n' +
        "  fish:  keysmith completion fish > ~/.config/fish/completions/keysmith.fish",
    )
    .action(
      act(async (shell: string) => {
        const tree = describeTree(program);
        const script = SCRIPTS[shell];
        if (!script) throw new CliError(`no completion for ${JSON.stringify(shell)}: use bash, zsh or fish`);
        io.stdout(script(tree));
        return EXIT.OK;
      }),
    );
}

/** One command as completion sees it. */
export interface CommandNode {
  /** Names from the program down: [] for `keysmith`, ["keys", "create"] for `keys create`. */
  path: string[];
  description: string;
  subcommands: CommandNode[];
  options: OptionNode[];
  /** Whether it takes positional arguments (files, names): fish then offers files there. */
  takesArguments: boolean;
}

export interface OptionNode {
  flags: string[];
  description: string;
  takesValue: boolean;
  choices: string[];
}

/** The program's tree, help options included. */
export function describeTree(command: Command, path: string[] = []): CommandNode {
  const options: Option[] = [...command.options];
  return {
    path,
    description: command.description(),
    subcommands: command.commands.map((sub) => describeTree(sub, [...path, sub.name()])),
    takesArguments: command.registeredArguments.length > 0,
    options: [
      ...options.map((option) => ({
        flags: [option.long, option.short].filter((flag): flag is string => flag !== undefined),
        description: option.description,
        takesValue: option.required || option.optional,
        choices: option.argChoices ?? [],
      })),
      { flags: ["--help", "-h"], description: "display help for command", takesValue: false, choices: [] },
    ],
  };
}

function walk(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(walk)];
}

/** A word as a single-quoted shell string. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const SCRIPTS: Readonly<Record<string, (tree: CommandNode) => string>> = { bash, zsh, fish };

function bash(tree: CommandNode): string {
  const nodes = walk(tree);
  const subcommands = nodes
    .filter((n) => n.subcommands.length > 0)
    .map(
      (n) =>
        `    ${quote(n.path.join(" "))}) echo ${quote(n.subcommands.map((s) => s.path.at(-1)).join(" "))} ;;`,
    );
  const options = nodes.map(
    (n) => `    ${quote(n.path.join(" "))}) echo ${quote(n.options.flatMap((o) => o.flags).join(" "))} ;;`,
  );
  const values = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.takesValue)
      .flatMap((o) =>
        o.flags.map(
          (flag) =>
            `    ${quote(`${n.path.join(" ")}|${flag}`)}) echo ${o.choices.length ? quote(o.choices.join(" ")) : "__file__"} ;;`,
        ),
      ),
  );
  return `# keysmith completion for bash. Load it with: source <(keysmith completion bash)
_keysmith_subcommands() {
  case "$1" in
${subcommands.join("\n")}
  esac
}
_keysmith_options() {
  case "$1" in
${options.join("\n")}
  esac
}
_keysmith_values() {
  case "$1" in
${values.join("\n")}
    *) echo __none__ ;;
  esac
}
_keysmith() {
  local cur prev path="" word i values
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case " $(_keysmith_subcommands "$path") " in
      *" $word "*) path="\${path:+$path }$word" ;;
    esac
  done
  if [[ "$prev" == -* ]]; then
    values="$(_keysmith_values "$path|$prev")"
    if [[ "$values" == __file__ ]]; then
      COMPREPLY=($(compgen -f -- "$cur"))
      return
    elif [[ "$values" != __none__ ]]; then
      COMPREPLY=($(compgen -W "$values" -- "$cur"))
      return
    fi
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_keysmith_options "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_keysmith_subcommands "$path")" -- "$cur"))
    [[ \${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _keysmith keysmith
`;
}

function zsh(tree: CommandNode): string {
  const nodes = walk(tree);
  const describe = (name: string, description: string): string =>
    quote(`${name.replace(/:/g, "\\:")}:${oneLine(description)}`);
  const subcommands = nodes
    .filter((n) => n.subcommands.length > 0)
    .map(
      (n) =>
        `    ${quote(n.path.join(" "))}) reply=(${n.subcommands
          .map((s) => describe(s.path.at(-1) as string, s.description))
          .join(" ")}) ;;`,
    );
  const options = nodes.map(
    (n) =>
      `    ${quote(n.path.join(" "))}) reply=(${n.options
        .flatMap((o) => o.flags.map((flag) => describe(flag, o.description)))
        .join(" ")}) ;;`,
  );
  const values = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.choices.length > 0)
      .flatMap((o) =>
        o.flags.map(
          (flag) =>
            `    ${quote(`${n.path.join(" ")}|${flag}`)}) reply=(${o.choices.map(quote).join(" ")}) ;;`,
        ),
      ),
  );
  const names = nodes
    .filter((n) => n.subcommands.length > 0)
    .map(
      (n) =>
        `    ${quote(n.path.join(" "))}) reply=(${n.subcommands.map((s) => quote(s.path.at(-1) as string)).join(" ")}) ;;`,
    );
  return `#compdef keysmith
# keysmith completion for zsh. Load it with: source <(keysmith completion zsh)
_keysmith_subcommands() {
  reply=()
  case "$1" in
${subcommands.join("\n")}
  esac
}
_keysmith_subcommand_names() {
  reply=()
  case "$1" in
${names.join("\n")}
  esac
}
_keysmith_options() {
  reply=()
  case "$1" in
${options.join("\n")}
  esac
}
_keysmith_values() {
  reply=()
  case "$1" in
${values.join("\n")}
  esac
}
_keysmith() {
  local p="" word i
  local -a reply entries
  for (( i = 2; i < CURRENT; i++ )); do
    word="\${words[i]}"
    [[ "$word" == -* ]] && continue
    _keysmith_subcommand_names "$p"
    if (( \${reply[(Ie)$word]} )); then p="\${p:+$p }$word"; fi
  done
  if [[ "\${words[CURRENT-1]}" == -* ]]; then
    _keysmith_values "$p|\${words[CURRENT-1]}"
    if (( \${#reply} )); then compadd -a reply; return; fi
  fi
  if [[ "\${words[CURRENT]}" == -* ]]; then
    _keysmith_options "$p"; entries=("\${reply[@]}")
    _describe 'option' entries
  else
    _keysmith_subcommands "$p"; entries=("\${reply[@]}")
    if (( \${#entries} )); then _describe 'command' entries; else _files; fi
  fi
}
if [[ "\${funcstack[1]}" == "_keysmith" ]]; then
  _keysmith "$@"
else
  compdef _keysmith keysmith
fi
`;
}

function fish(tree: CommandNode): string {
  const lines = [
    "# keysmith completion for fish. Load it with: keysmith completion fish | source",
    "complete -c keysmith -f",
  ];
  for (const node of walk(tree)) {
    // Inside `keys`: the parent was seen and none of its subcommands yet.
    const at =
      node.path.length === 0
        ? "__fish_use_subcommand"
        : node.path.map((name) => `__fish_seen_subcommand_from ${name}`).join("; and ");
    const below = node.subcommands.map((s) => s.path.at(-1)).join(" ");
    const here =
      node.subcommands.length > 0 && node.path.length > 0
        ? `${at}; and not __fish_seen_subcommand_from ${below}`
        : at;
    for (const sub of node.subcommands) {
      lines.push(
        `complete -c keysmith -n ${quote(here)} -a ${quote(sub.path.at(-1) as string)} -d ${quote(oneLine(sub.description))}`,
      );
    }
    if (node.takesArguments && node.subcommands.length === 0)
      lines.push(`complete -c keysmith -n ${quote(at)} -F`);
    for (const option of node.options) {
      const names = option.flags
        .map((flag) => (flag.startsWith("--") ? `-l ${quote(flag.slice(2))}` : `-s ${quote(flag.slice(1))}`))
        .join(" ");
      const value =
        option.choices.length > 0
          ? ` -x -a ${quote(option.choices.join(" "))}`
          : option.takesValue
            ? " -r -F"
            : "";
      lines.push(
        `complete -c keysmith -n ${quote(at)} ${names}${value} -d ${quote(oneLine(option.description))}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
