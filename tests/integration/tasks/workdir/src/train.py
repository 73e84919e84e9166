import json, os, sys
print("training", sys.argv[1:])
with open(os.path.join(os.environ["KONDUKTOR_OUTPUT_DIR"], "result.json"), "w") as f:
    json.dump({"args": sys.argv[1:]}, f)
