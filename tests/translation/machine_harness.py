"""Stand-ins for machine translation tests: a real, tiny CTranslate2 model built from
ctranslate2 alone (random weights: it proves loading, tokenisation, batching and pivoting,
not translation quality), and a local HTTP server that speaks an engine's protocol."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

D_MODEL, FFN = 16, 32
SENTENCES = {
    "de": ["das Amt erkennt Berufsqualifikationen an", "guten Tag", "die Behörde prüft"],
    "en": ["the office recognises qualifications", "good day", "the authority checks"],
    "fr": ["le bureau reconnaît les qualifications", "bonjour", "l'autorité vérifie"],
}


def _sentencepiece(sentences: list[str]) -> tuple[bytes, list[str]]:
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences * 4), model_writer=model, vocab_size=40,
        hard_vocab_limit=False, normalization_rule_name="identity", minloglevel=2,
    )  # fmt: skip
    processor = sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())
    return model.getvalue(), [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_tiny_model(folder: Path, source: str, target: str, seed: int = 1) -> Path:
    """A one-layer transformer with seeded random weights, as an OPUS-MT conversion lays
    out its folder (model.bin, vocabularies, source.spm, target.spm)."""
    from ctranslate2.specs import attention_spec, common_spec, model_spec, transformer_spec

    rng = np.random.default_rng(seed)

    def weights(*shape):
        return (rng.standard_normal(shape) * 0.3).astype(np.float32)

    def norm(layer):
        layer.gamma, layer.beta = np.ones(D_MODEL, np.float32), np.zeros(D_MODEL, np.float32)

    def linear(layer, rows, columns=D_MODEL):
        layer.weight, layer.bias = weights(rows, columns), np.zeros(rows, np.float32)

    def fill(spec):
        for name, value in vars(spec).items():
            if name.startswith("_"):
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, common_spec.LayerNormSpec):
                    norm(child)
                elif isinstance(child, attention_spec.MultiHeadAttentionSpec):
                    norm(child.layer_norm)
                    if len(child.linear) == 2:
                        linear(child.linear[0], 3 * D_MODEL)
                    else:
                        linear(child.linear[0], D_MODEL)
                        linear(child.linear[1], 2 * D_MODEL)
                    linear(child.linear[-1], D_MODEL)
                elif isinstance(child, model_spec.LayerSpec):
                    fill(child)

    source_model, source_vocabulary = _sentencepiece(SENTENCES[source])
    target_model, target_vocabulary = _sentencepiece(SENTENCES[target])
    spec = transformer_spec.TransformerSpec.from_config(1, 2)
    fill(spec.encoder)
    fill(spec.decoder)
    for layer in (*spec.encoder.layer, *spec.decoder.layer):
        linear(layer.ffn.linear_0, FFN)
        linear(layer.ffn.linear_1, D_MODEL, FFN)
    spec.encoder.embeddings[0].weight = weights(len(source_vocabulary), D_MODEL)
    spec.decoder.embeddings.weight = weights(len(target_vocabulary), D_MODEL)
    linear(spec.decoder.projection, len(target_vocabulary))
    # Random weights rarely choose </s>; a little bias makes translations end.
    spec.decoder.projection.bias[target_vocabulary.index("</s>")] = 1.5
    spec.register_source_vocabulary(source_vocabulary)
    spec.register_target_vocabulary(target_vocabulary)
    path = folder / f"{source}-{target}"
    path.mkdir(parents=True)
    spec.validate()
    spec.optimize()
    spec.save(str(path))
    (path / "source.spm").write_bytes(source_model)
    (path / "target.spm").write_bytes(target_model)
    return path


class FakeEngineServer:
    """An HTTP server on a free local port; ``respond(method, path, body)`` returns
    (status, body as bytes or JSON-able, delay seconds). Every request is recorded."""

    def __init__(self, respond):
        self.requests: list[tuple[str, str, object]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                server.requests.append((method, self.path, body))
                status, answer, delay = respond(method, self.path, body)
                if delay:
                    threading.Event().wait(delay)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeEngineServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def received_text(self) -> str:
        return json.dumps([body for _, _, body in self.requests], ensure_ascii=False)


def libretranslate(server_languages=("de", "en", "fr")):
    """A LibreTranslate stand-in: every pair among ``server_languages``; a 'translation' is
    the text with the target language in front."""

    def respond(method, path, body):
        if path == "/languages":
            return 200, [{"code": code, "targets": list(server_languages)}
                         for code in server_languages], 0  # fmt: skip
        if body["source"] not in server_languages or body["target"] not in server_languages:
            return 400, {"error": f"{body['target']} is not supported"}, 0
        return 200, {"translatedText": [f"[{body['target']}] {q}" for q in body["q"]]}, 0

    return FakeEngineServer(respond)
