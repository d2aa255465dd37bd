"""What the redaction tests share (test_redaction_shapes.py, test_redaction_outputs.py): keys of
every known credential shape, and a hypothesis strategy that makes more of them."""

from __future__ import annotations

import string

from hypothesis import strategies as st

SECRETS = [
    "sk-proj-abcdefghijklmnopqrstuvwx1234",
    "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
    "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "gho_abcdefghijklmnopqrstuvwxyz0123456789",
    "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
    "ghu_abcdefghijklmnopqrstuvwxyz0123456789",
    "ghr_abcdefghijklmnopqrstuvwxyz0123456789",
    "sk-abcdefghijklmnopqrstuvwxyz012345",
    "ASIAIOSFODNN7EXAMPLE",
    "xoxp-1234567890-abcdefghij",
    "github_pat_11ABCDEFG0abcdefghijklmnop",
    "xoxb-1234567890-abcdefghij",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
]


# AIza keys: 35. Real key bodies mix digits and letters; "sk-" + letters only is a word, not a key.
_BODY = st.builds(
    lambda a, d, c: a[:10] + d + c + a[10:],
    st.text(alphabet=string.ascii_letters + string.digits, min_size=33, max_size=43),
    st.sampled_from(string.digits),
    st.sampled_from(string.ascii_letters),
)
_PREFIXES = (
    "sk-",
    "sk-proj-",
    "sk-ant-api03-",
    "AIza",
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "ghr_",
    "github_pat_",
    "xoxb-",
)
secret_strategy = (
    st.sampled_from(SECRETS)
    | st.builds(lambda p, b: p + b, st.sampled_from(_PREFIXES), _BODY)
    | st.builds(lambda b: "AKIA" + b.upper()[:16].ljust(16, "X"), _BODY)
)


KEYS = {
    "openai": "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx",
    "openai-legacy": "sk-Ab3dEfGh1jKlMn0pQrStUvWx9876",
    "anthropic": "sk-ant-api03-Ab3dEfGh1jKlMn0pQrSt",
    "google": "AIzaSyA-b3dEfGh1jKlMn0pQrStUvWx12345",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_Ab3dEfGh1jKlMn0pQrStUvWx0123456789",
    "github-pat": "github_pat_11ABCDEFG0abcdefghijklmnop",
    "slack": "xoxb-1234567890-abcdefghij",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "google-oauth": "ya29.a0AfH6SMBx3dEfGh1jKlMn0pQrSt",
}
