#!/usr/bin/env bash
# Grades a directory holding create.dbg.log, delete.dbg.log, read.dbg.log and update.dbg.log with
# the same shell pipelines as the course's KVStoreGrader.sh (grep -i phrases, cut -d" " fields,
# sort, time windows between operations), without building or running anything. Used by the test
# suite to check our dbg.log files against the shell semantics, not only our TypeScript grader.
# Prints "<test> <points>" per test, then "total <n>".
set -u
dir=${1:?usage: mp2-shell-grade.sh DIR}
total=0

create() {
  local log="$dir/create.dbg.log" n ok=1 keys key c
  n=$(grep -i "CREATE OPERATION" "$log" | wc -l)
  c=$(grep -i "create success" "$log" | wc -l)
  if [ "$c" -ne $((n * 4)) ]; then ok=0; else
    keys=$(grep -i "CREATE OPERATION" "$log" | cut -d" " -f7)
    for key in $keys; do
      if [ "$(grep -i "create success" "$log" | grep "$key" | wc -l)" -ne 4 ]; then ok=0; break; fi
    done
  fi
  local p=0; [ "$ok" -eq 1 ] && p=3
  echo "create $p"; total=$((total + p))
}

delete() {
  local log="$dir/delete.dbg.log" n ok=1 keys key c f p=0
  n=$(grep -i "DELETE OPERATION" "$log" | wc -l)
  c=$(grep -i "delete success" "$log" | wc -l)
  if [ "$c" -ne $(((n - 1) * 4)) ]; then ok=0; else
    keys=$(grep -i "DELETE OPERATION" "$log" | cut -d" " -f7)
    for key in $keys; do
      [ "$key" = "invalidKey" ] && continue
      if [ "$(grep -i "delete success" "$log" | grep "$key" | wc -l)" -ne 4 ]; then ok=0; break; fi
    done
  fi
  [ "$ok" -eq 1 ] && p=3
  f=$(grep -i "delete fail" "$log" | grep "invalidKey" | wc -l)
  [ "$f" -eq 4 ] && p=$((p + 4))
  echo "delete $p"; total=$((total + p))
}

readupdate() { # $1 = read|update
  local verb=$1 log="$dir/$1.dbg.log" OP times cnt=1 t k1 v1 k3 t1 t2 t3a t3b t4 t5 line at
  OP=$(echo "$verb" | tr a-z A-Z)" OPERATION"
  times=$(grep -i "$OP" "$log" | cut -d" " -f3 | tr -s ']' ' ' | tr -s '[' ' ' | sort)
  for t in $times; do
    case $cnt in
      1) t1=$t; k1=$(grep -i "$OP" "$log" | grep "$t" | cut -d" " -f7); v1=$(grep -i "$OP" "$log" | grep "$t" | cut -d" " -f9) ;;
      2) t2=$t ;;
      3) t3a=$t; k3=$(grep -i "$OP" "$log" | grep "$t" | cut -d" " -f7) ;;
      4) t3b=$t ;;
      5) t4=$t ;;
      6) t5=$t ;;
    esac
    cnt=$((cnt + 1))
  done
  local s1=0 s2=0 s3=0 s4=0 f3=0 f5=0
  while read -r line; do
    [ -z "$line" ] && continue
    at=$(echo "$line" | cut -d" " -f2 | tr -d '[]')
    if [ "$at" -ge "$t1" ] && [ "$at" -lt "$t2" ]; then s1=$((s1 + 1))
    elif [ "$at" -ge "$t2" ] && [ "$at" -lt "$t3a" ]; then s2=$((s2 + 1))
    elif [ "$at" -ge "$t3b" ] && [ "$at" -lt "$t4" ]; then s3=$((s3 + 1))
    elif [ "$at" -ge "$t4" ]; then s4=$((s4 + 1)); fi
  done <<<"$(grep -i "$verb success" "$log" | grep "$k1" | grep "$v1")"
  while read -r line; do
    [ -z "$line" ] && continue
    at=$(echo "$line" | cut -d" " -f2 | tr -d '[]')
    if [ "$at" -ge "$t3a" ] && [ "$at" -lt "$t3b" ]; then
      echo "$line" | grep -q "$k3" && f3=$((f3 + 1))
    elif [ "$at" -ge "$t5" ]; then
      echo "$line" | grep -q "invalidKey" && f5=$((f5 + 1))
    fi
  done <<<"$(grep -i "$verb fail" "$log")"
  local p=0
  { [ "$s1" -eq 3 ] || [ "$s1" -eq 4 ]; } && p=$((p + 3))
  [ "$s2" -eq 3 ] && p=$((p + 9))
  [ "$f3" -eq 1 ] && p=$((p + 9))
  { [ "$s3" -eq 3 ] || [ "$s3" -eq 4 ]; } && p=$((p + 10))
  { [ "$s4" -eq 3 ] || [ "$s4" -eq 4 ]; } && p=$((p + 6))
  { [ "$f5" -eq 3 ] || [ "$f5" -eq 4 ]; } && p=$((p + 3))
  echo "$verb $p"; total=$((total + p))
}

create
delete
readupdate read
readupdate update
echo "total $total"
