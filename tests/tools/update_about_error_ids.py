# Regenerates the ERROR IDS section of en-US/about_ZscalerPki.help.txt from src/ZscalerPki.Core/PkiErrorIds.cs.
# Run from the repository root after adding an id: python3 tests/tools/update_about_error_ids.py
import re, sys, textwrap, html
root = sys.argv[1] if len(sys.argv) > 1 else '.'
src = open(f'{root}/src/ZscalerPki.Core/PkiErrorIds.cs').read()
items = []
for m in re.finditer(r'^\s*// ---- (.*?) ----$|/// <summary>(.*?)</summary>\s*public const string (\w+)', src, re.M):
    if m.group(1):
        # User help names no issue numbers: a section comment such as 'validation (issue 11)' is listed as 'validation'.
        items.append(('section', re.sub(r'\s*\((issue|bug|#)\s*\d+\)', '', m.group(1)).strip()))
    else:
        items.append(('id', m.group(3), html.unescape(m.group(2))))
out = ['ERROR IDS',
       '    Every ErrorRecord the cmdlets write carries one of these ids: its',
       '    FullyQualifiedErrorId starts with the id (for example',
       "    'InvalidName,ZscalerPki.Commands.NewEnrollmentCertificateCommand'), and",
       '    each id keeps its one meaning. Match them in scripts, and in Pester',
       '    tests (Should needs the Pester module):',
       '',
       "        try { New-EnrollmentCertificate -Name 'a b' -KeyPassword $pw -ErrorAction Stop }",
       "        catch { $_.FullyQualifiedErrorId -like 'InvalidName,*' }",
       '',
       "        { Import-SignedIntermediate X ./other.pem -ErrorAction Stop } | Should -Throw -ErrorId 'PublicKeyMismatch,*'",
       '',
       '    An unreadable input among several (files, names, certificates) is one',
       '    non-terminating error for that input; the others are still processed.',
       '']
for it in items:
    if it[0] == 'section':
        out.append(f'    {it[1]}')
        continue
    _, ident, meaning = it
    lines = textwrap.wrap(meaning, width=78 - 34)
    first = f'      {ident:<28}'
    if len(ident) > 27:
        out.append(f'      {ident}')
        first = ' ' * 34
    out.append(first + lines[0])
    for l in lines[1:]:
        out.append(' ' * 34 + l)
    # blank line after each section handled below
text = []
for i, l in enumerate(out):
    if i > 13 and l.startswith('    ') and not l.startswith('     ') and text and text[-1] != '':
        text.append('')
    text.append(l)
section = '\n'.join(text) + '\n\n'
p = f'{root}/en-US/about_ZscalerPki.help.txt'
about = open(p).read()
start = about.index('ERROR') if 'ERROR IDS\n' not in about else about.index('ERROR IDS\n')
start = about.index('\nERROR') + 1
end = about.index('\nEXAMPLES\n') + 1
about = about[:start] + section + about[end:]
open(p, 'w').write(about)
print(f'{sum(1 for i in items if i[0]=="id")} ids written')
