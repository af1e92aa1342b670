#!/usr/bin/python3
# cli_util.py: small JSON helpers for the cognito-mfa script tests (run
# with /usr/bin/python3; the standard library only).
#
#   norm             stdin JSON -> json.dumps(indent=4, sort_keys=True,
#                    ensure_ascii=False) + "\n" (empty input stays empty)
#   errbody          stdin: our stderr "An error occurred (T) when calling
#                    the O operation: M" -> {"__type": T, "message": M}
#   usertype FILE    an AdminGetUser record -> a UserType
#   created FILE     {"User": UserType} of a record
#   listusers DIR... {"Users": [UserType of each record]} (given order)
#   debugreq         stdin: our --debug stderr -> the request JSON line
#   sameobj A B      exit 0 when files A and B hold equal JSON values
#   get KEY          stdin JSON -> the value of KEY
#   listpage OUT DIR our list-users stdout (OUT) back on the wire: each
#                    user's record from DIR (epoch dates) as a UserType,
#                    with the attributes OUT shows, and its token
import json
import re
import sys


def usertype(rec):
    out = {}
    for src, dst in (('Username', 'Username'), ('UserAttributes', 'Attributes'),
                     ('UserCreateDate', 'UserCreateDate'),
                     ('UserLastModifiedDate', 'UserLastModifiedDate'),
                     ('Enabled', 'Enabled'), ('UserStatus', 'UserStatus'),
                     ('MFAOptions', 'MFAOptions')):
        if src in rec:
            out[dst] = rec[src]
    return out


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def main():
    cmd = sys.argv[1]
    if cmd == 'norm':
        text = sys.stdin.read()
        if text.strip():
            sys.stdout.write(json.dumps(json.loads(text), indent=4,
                                        sort_keys=True,
                                        ensure_ascii=False) + '\n')
    elif cmd == 'errbody':
        text = sys.stdin.read()
        m = re.search(r'An error occurred \(([^)]*)\) when calling the '
                      r'\S+ operation: (.*)\n', text, re.S)
        if not m:
            sys.exit('no error line in: %r' % text)
        json.dump({'__type': m.group(1), 'message': m.group(2)},
                  sys.stdout, ensure_ascii=False)
    elif cmd == 'usertype':
        json.dump(usertype(load(sys.argv[2])), sys.stdout)
    elif cmd == 'created':
        json.dump({'User': usertype(load(sys.argv[2]))}, sys.stdout)
    elif cmd == 'listusers':
        json.dump({'Users': [usertype(load(p)) for p in sys.argv[2:]]},
                  sys.stdout)
    elif cmd == 'debugreq':
        for line in sys.stdin:
            if line.startswith('cognito-mfa: debug: request '):
                sys.stdout.write(line[len('cognito-mfa: debug: request '):])
    elif cmd == 'sameobj':
        sys.exit(0 if load(sys.argv[2]) == load(sys.argv[3]) else 1)
    elif cmd == 'listpage':
        ours = load(sys.argv[2])
        page = {'Users': []}
        for u in ours['Users']:
            t = usertype(load('%s/%s.json' % (sys.argv[3], u['Username'])))
            if 'Attributes' in u:
                t['Attributes'] = u['Attributes']
            else:
                t.pop('Attributes', None)
            page['Users'].append(t)
        if 'PaginationToken' in ours:
            page['PaginationToken'] = ours['PaginationToken']
        json.dump(page, sys.stdout, ensure_ascii=False)
    elif cmd == 'get':
        print(json.load(sys.stdin)[sys.argv[2]])
    else:
        sys.exit('unknown command ' + cmd)


main()
