"""tests/aws: the AWS API Gateway backend, checked offline (openapi-spec-validator, cfn-lint,
moto). Nothing here reaches AWS."""
from __future__ import annotations

import os

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
# moto must never find real credentials or a real region config
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_PROFILE", None)
