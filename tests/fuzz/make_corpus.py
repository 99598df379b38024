#!/usr/bin/env python3
"""Seed corpora for the libFuzzer harnesses, from the unit tests' vectors.

usage: make_corpus.py OUTDIR

Every C string literal of the unit test files (adjacent literals joined, C
escapes decoded) is a candidate; each harness takes the ones that look like
its input and prefixes the selector bytes its input format starts with
(see the comment at the top of each tests/fuzz/fuzz_*.c).  Files are named
by content hash, so a rerun writes the same set.  Committed inputs from
findings, tests/fuzz/regress/<harness>/, are added as they are.
"""
import hashlib
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)

LIT = re.compile(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)')
ONE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
ESC = {'n': 10, 'r': 13, 't': 9, '0': 0, '\\': 92, '"': 34, "'": 39, 'a': 7, 'b': 8,
       'f': 12, 'v': 11, '?': 63}


def decode(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode('utf-8')
            i += 1
            continue
        e = body[i + 1]
        if e == 'x':
            j = i + 2
            while j < len(body) and body[j] in '0123456789abcdefABCDEF':
                j += 1
            out.append(int(body[i + 2:j], 16) & 0xFF)
            i = j
        elif e in '01234567':
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in '01234567':
                j += 1
            out.append(int(body[i + 1:j], 8) & 0xFF)
            i = j
        else:
            out.append(ESC.get(e, ord(e)))
            i += 2
    return bytes(out)


def literals(name):
    path = os.path.join(TESTS, name)
    if not os.path.exists(path):
        return []
    text = open(path, encoding='utf-8', errors='replace').read()
    text = re.sub(r'//[^\n]*', '', text)
    res = []
    for m in LIT.finditer(text):
        res.append(b''.join(decode(x) for x in ONE.findall(m.group(1))))
    return res


def write(outdir, harness, data):
    d = os.path.join(outdir, harness)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, h), 'wb') as f:
        f.write(data)


def main():
    out = sys.argv[1]
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    http = [s for f in ('test_http_response.c', 'test_http_client.c', 'test_bounded_step.c',
                        'test_download.c', 'test_fuzz_regress.c')
            for s in literals(f) if s.startswith(b'HTTP/') or s.startswith(b'\r\nHTTP/')]
    for i, s in enumerate(http):
        write(out, 'fuzz_http_response', bytes([i % 8, i % 251]) + s)
        write(out, 'fuzz_http_client', bytes([(i * 37) % 256, i % 17]) + s)
    # redirects: an answer, 0xFF, the next one
    for i in range(0, len(http) - 1, 3):
        loc = b'HTTP/1.1 302 Found\r\nLocation: /next?x=%d\r\nContent-Length: 0\r\n\r\n' % i
        write(out, 'fuzz_http_client', bytes([4 | (i % 4), 0]) + loc + b'\xff' + http[i])
        write(out, 'fuzz_http_client', bytes([12, 3]) + loc + b'\xff' + http[i + 1])
    write(out, 'fuzz_http_client', bytes([4, 0]) + b'HTTP/1.1 307 x\r\nLocation: http://other.example:8080/a/../b\r\n'
          b'Content-Length: 0\r\n\r\n\xffHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')

    urls = [s for s in literals('test_url.c') + literals('test_http_client.c')
            if len(s) < 600 and b'\n' not in s]
    absolute = [s for s in urls if s.startswith(b'http')]
    for i, s in enumerate(urls):
        base = absolute[i % len(absolute)] if absolute else b'http://a/b/c/d;p?q'
        write(out, 'fuzz_url', base + b'\n' + s)
        write(out, 'fuzz_url', s + b'\n' + b'../g?y#f')

    js = [s for f in ('test_json.c', 'test_api.c', 'test_api_exchange.c', 'test_job.c')
          for s in literals(f) if s[:1] in (b'{', b'[', b'"', b'-', b't', b'f', b'n') or s[:1].isdigit()]
    for s in js:
        write(out, 'fuzz_json', s)
    answers = [s for s in js if s.startswith(b'{')]
    for i, s in enumerate(answers):
        write(out, 'fuzz_squeeze', bytes([i % 16]) + s)
        write(out, 'fuzz_api_decode', bytes([i % 8]) + s)
    big = b'{"status":"completed","storyboardPrompt":"' + b'a' * 1030 + b'\\ud800x","recordId":"r"}'
    write(out, 'fuzz_api_decode', b'\x00' + big)
    write(out, 'fuzz_squeeze', b'\x06' + big)

    for s in literals('test_retry.c') + literals('test_api.c') + literals('test_api_exchange.c') + \
            literals('test_fuzz_regress.c'):
        if b'GMT' in s or re.match(rb'^\s*\d+\s*$', s or b'x') or s[:3] in (b'Sun', b'Mon', b'Fri'):
            write(out, 'fuzz_http_fields', b'\x00' + (1784111777).to_bytes(8, 'big') + s)
    for s in literals('test_download.c'):
        if s.startswith(b'bytes'):
            write(out, 'fuzz_http_fields', b'\x01' + s)
    for s in (b'bytes 0-99/200', b'bytes 100-199/200', b'bytes */200', b'bytes 5-5/*'):
        write(out, 'fuzz_http_fields', b'\x01' + s)
    write(out, 'fuzz_http_fields', b'\x00' + (2 ** 63 - 1).to_bytes(8, 'big') +
          b'Sunday, 06-Nov-94 08:49:37 GMT')

    for s in literals('test_journal.c') + literals('test_job.c'):
        if s.startswith(b'{') and b'"v"' in s:
            write(out, 'fuzz_journal', s)
    write(out, 'fuzz_journal', b'{"v":1,"id":"ab","phase":"polling","recordId":"r1","adTheme":"tea",'
          b'"videoDuration":10,"aspectRatio":"portrait","createdAt":1764460800}\n')

    meta = b'tvc-dl 1\nurl http://cdn.example/v.mp4\nvalidator "v1"\ntotal 200\nend\n'
    for mode in (0, 1, 3, 5, 9, 0x11, 0x81, 0x85):
        for part in (0, 1, 100, 199, 200):
            write(out, 'fuzz_download', bytes([mode, part, 0x80, len(meta)]))
    write(out, 'fuzz_download', bytes([1, 100, 0]) + meta)
    write(out, 'fuzz_download', bytes([1, 100, 0xC0, len(meta)]) + b'bytes 100-199/200')

    write(out, 'fuzz_tls', b'\x00')
    write(out, 'fuzz_tls', b'\x01')
    write(out, 'fuzz_tls', b'\x05\x00\x10\x01')
    write(out, 'fuzz_tls', b'\x00\x00\x30\x00')

    regress = os.path.join(HERE, 'regress')
    if os.path.isdir(regress):
        for harness in os.listdir(regress):
            for name in os.listdir(os.path.join(regress, harness)):
                with open(os.path.join(regress, harness, name), 'rb') as f:
                    write(out, harness, f.read())
    for harness in sorted(os.listdir(out)):
        print('%s: %d seeds' % (harness, len(os.listdir(os.path.join(out, harness)))))


if __name__ == '__main__':
    main()
