#compdef kubectl-konduktor
# zsh completion for kubectl-konduktor when it is run directly. (Typed as
# `kubectl konduktor …`, kubectl completes it itself, through the
# kubectl_complete-konduktor program.) Load it with
#     source <(kubectl-konduktor completion zsh)
# or install it as _kubectl-konduktor in a directory on $fpath.
#
# The program does the work: `kubectl-konduktor __complete WORDS…` prints
# one "candidate<TAB>description" per line and then ":<directive>", cobra's
# ShellCompDirective bits (1 error, 2 no space, 4 no file names,
# 8 file extensions, 16 directories only, 32 keep order).

_kubectl-konduktor()
{
    local cur=${words[CURRENT]} out line value description
    local -i directive=0
    local -a lines specs globs nospace order

    out=$(${words[1]} __complete "${(@)words[2,CURRENT-1]}" "$cur" 2>/dev/null) || return 1
    lines=("${(@f)out}")
    if [[ ${lines[-1]} == :* ]]; then
        [[ ${lines[-1]#:} == <-> ]] || return 1
        directive=${lines[-1]#:}
        lines[-1]=()
    fi
    ((directive & 1)) && return 1

    # A flag's value: the program answers with the value alone.
    [[ $cur == -*=* ]] && compset -P '*='
    ((directive & 2)) && nospace=(-S '')
    ((directive & 32)) && order=(-V)

    if ((directive & 8)); then
        for line in $lines; do globs+=("*.$line"); done
        _files -g "(${(j:|:)globs})"
        return
    fi
    if ((directive & 16)); then
        if [[ -n ${lines[1]} ]]; then
            _files -W "${lines[1]}" -/
        else
            _files -/
        fi
        return
    fi
    if ((${#lines} == 0)); then
        ((directive & 4)) && return 1
        _files
        return
    fi
    for line in $lines; do
        value=${line%%$'\t'*}
        description=""
        [[ $line == *$'\t'* ]] && description=${line#*$'\t'}
        specs+=("${value//:/\\:}${description:+:$description}")
    done
    _describe "${order[@]}" 'kubectl-konduktor' specs "${nospace[@]}"
}

if [[ $funcstack[1] == _kubectl-konduktor ]]; then
    # autoloaded from $fpath: this file is the function's body
    _kubectl-konduktor "$@"
else
    compdef _kubectl-konduktor kubectl-konduktor
fi
