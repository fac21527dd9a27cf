// Placeholder CLI entry; the CLI helper fills in the commands.
process.stdout.write('ringkv: no commands yet\n');
