subscription_id = "0B1F6471-1BF0-4DDA-AEC3-CB9272F09590"
location        = "westeurope"
