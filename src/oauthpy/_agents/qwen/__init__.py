"""Qwen Code (``qwen --acp``, @qwen-code/qwen-code 0.24): everything oauthpy knows of it."""
