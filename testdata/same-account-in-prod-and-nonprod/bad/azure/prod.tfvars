subscription_id = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
location        = "westeurope"
