#!/usr/bin/env bash
# Grades a directory holding singlefailure.dbg.log, multifailure.dbg.log and
# msgdropsinglefailure.dbg.log with the same shell pipelines as the course's Grader.sh (grep, cut,
# sort -u, wc -l), without building or running anything. Used by the test suite to check that the
# TypeScript grader (src/sim/seed/mp1-grader.ts) and the shell agree on our own dbg.log files.
# Prints one line per check: "<scenario> <check> <points>", then "total <n>".
set -u
dir=${1:?usage: mp1-shell-grade.sh DIR}
total=0

join_points() { # $1 = log, $2 = points
  local log=$1 points=$2 joincount joinfrom cnt i jointo
  joincount=$(grep joined "$log" | cut -d" " -f2,4-7 | sort -u | wc -l)
  if [ "$joincount" -eq 100 ]; then echo "$points"; return; fi
  joinfrom=$(grep joined "$log" | cut -d" " -f2 | sort -u)
  cnt=0
  for i in $joinfrom; do
    jointo=$(grep joined "$log" | grep '^ '"$i" | cut -d" " -f4-7 | grep -v "$i" | sort -u | wc -l)
    if [ "$jointo" -eq 9 ]; then cnt=$((cnt + 1)); fi
  done
  if [ "$cnt" -eq 10 ]; then echo "$points"; else echo 0; fi
}

single() { # $1 = scenario, $2 = join/completeness points, $3 = check accuracy (1/0)
  local log="$dir/$1.dbg.log" j failednode failcount accuracycount c a
  j=$(join_points "$log" "$2")
  failednode=$(grep "Node failed at time" "$log" | sort -u | awk '{print $1}')
  failcount=$(grep removed "$log" | sort -u | grep "$failednode" | wc -l)
  if [ "$failcount" -ge 9 ]; then c=$2; else c=0; fi
  echo "$1 join $j"; echo "$1 completeness $c"
  total=$((total + j + c))
  if [ "$3" -eq 1 ]; then
    accuracycount=$(grep removed "$log" | sort -u | grep -v "$failednode" | wc -l)
    if [ "$accuracycount" -eq 0 ] && [ "$failcount" -gt 0 ]; then a=10; else a=0; fi
    echo "$1 accuracy $a"; total=$((total + a))
  fi
}

multi() {
  local log="$dir/multifailure.dbg.log" j failednode tmp cnt i failcount accuracycount
  j=$(join_points "$log" 10)
  failednode=$(grep "Node failed at time" "$log" | sort -u | awk '{print $1}')
  tmp=0; cnt=0
  for i in $failednode; do
    failcount=$(grep removed "$log" | sort -u | grep "$i" | wc -l)
    if [ "$failcount" -ge 5 ]; then tmp=$((tmp + 2)); fi
    cnt=$((cnt + 1)); if [ "$cnt" -gt 5 ]; then break; fi
  done
  echo "multifailure join $j"; echo "multifailure completeness $tmp"
  total=$((total + j + tmp))
  tmp=0
  for i in $failednode; do
    accuracycount=$(grep removed "$log" | sort -u | grep -v "$i" | wc -l)
    if [ "$accuracycount" -eq 20 ]; then tmp=$((tmp + 2)); fi
    if [ "$tmp" -gt 9 ]; then break; fi
  done
  echo "multifailure accuracy $tmp"; total=$((total + tmp))
}

single singlefailure 10 1
multi
single msgdropsinglefailure 15 0
echo "total $total"
