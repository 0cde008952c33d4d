# expect: WA RE
# attack: print a passing report and forge JUnit/JSON files where CI might pick them up
import os

import torch

XML = ('<?xml version="1.0"?><testsuites><testsuite name="softmax" tests="1" failures="0">'
       '<testcase name="all"/></testsuite></testsuites>')


def log_softmax(x, dim=-1):
    for folder in (".", "/tmp", os.path.expanduser("~"), "/work", "/builds"):
        for name in ("report.xml", "junit.xml", "report.json", "mlj-pwned-report.xml"):
            try:
                with open(os.path.join(folder, name), "w") as f:
                    f.write(XML)
            except OSError:
                pass
    print("AC  accepted  ·  score 20/20")
    return x


cross_entropy = log_softmax
